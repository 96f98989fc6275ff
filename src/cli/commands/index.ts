/** Every command, by its words (`rekey <words>`): one descriptor per file, in the order `rekey --help` lists them. */
import { init } from './init.js';
import { policyCheck } from './policy-check.js';
import { policySchema } from './policy-schema.js';
import { plan } from './plan.js';
import { graph } from './graph.js';
import { rotate } from './rotate.js';
import { resume } from './resume.js';
import { status } from './status.js';
import { doctor } from './doctor.js';
import { put } from './put.js';
import { exec } from './exec.js';
import { openclawAdopt } from './openclaw-adopt.js';
import { openclawResolve } from './openclaw-resolve.js';
import { openclawDevices } from './openclaw-devices.js';
import { serviceRender } from './service-render.js';
import { retire } from './retire.js';
import { revoke } from './revoke.js';
import { report } from './report.js';
import { store } from './store.js';
import { scheduleRender } from './schedule-render.js';
import { scheduleInstall } from './schedule-install.js';
import { scheduleStatus } from './schedule-status.js';
import { ciRender } from './ci-render.js';
import { ciExec, ciIssue, ciList, ciReap, ciRevoke } from './ci-lease.js';
import { agent, agentRender } from './agent.js';
import { auditVerify } from './audit-verify.js';
import { auditShow } from './audit-show.js';
import { auditExport } from './audit-export.js';
import type { Command } from './define.js';

const ALL = [init, policyCheck, policySchema, plan, graph, rotate, resume, status, doctor, put, store, retire, revoke, report, exec, openclawAdopt, openclawResolve, openclawDevices, serviceRender, scheduleRender, scheduleInstall, scheduleStatus, ciRender, ciIssue, ciExec, ciList, ciRevoke, ciReap, agent, agentRender, auditVerify, auditShow, auditExport] as Command[];

export const COMMANDS: ReadonlyMap<string, Command> = new Map(ALL.map((c) => [c.words, c]));
