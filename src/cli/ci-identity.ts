/**
 * Which CI runner and job this is, from the variables the CI systems document (GitHub Actions,
 * GitLab CI, Buildkite, Jenkins, CircleCI), for the audit record's actor; undefined outside CI.
 * Names and ids only: no token these systems also put in the environment is read.
 */
export function ciIdentity(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GITHUB_ACTIONS === 'true') return `github-actions runner ${env.RUNNER_NAME ?? '?'} run ${env.GITHUB_RUN_ID ?? '?'}/${env.GITHUB_RUN_ATTEMPT ?? '1'} ${env.GITHUB_REPOSITORY ?? ''} ${env.GITHUB_WORKFLOW ?? ''}`.trim();
  if (env.GITLAB_CI === 'true') return `gitlab-ci runner ${env.CI_RUNNER_ID ?? '?'} (${env.CI_RUNNER_DESCRIPTION ?? ''}) job ${env.CI_JOB_ID ?? '?'} ${env.CI_PROJECT_PATH ?? ''}`.trim();
  if (env.BUILDKITE === 'true') return `buildkite agent ${env.BUILDKITE_AGENT_NAME ?? '?'} job ${env.BUILDKITE_JOB_ID ?? '?'} ${env.BUILDKITE_PIPELINE_SLUG ?? ''}`.trim();
  if (env.JENKINS_URL) return `jenkins node ${env.NODE_NAME ?? '?'} build ${env.BUILD_TAG ?? env.BUILD_NUMBER ?? '?'}`;
  if (env.CIRCLECI === 'true') return `circleci job ${env.CIRCLE_JOB ?? '?'} build ${env.CIRCLE_BUILD_NUM ?? '?'} ${env.CIRCLE_PROJECT_REPONAME ?? ''}`.trim();
  if (env.CI === 'true' || env.CI === '1') return 'ci (unknown system)';
  return undefined;
}
