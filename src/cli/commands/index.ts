/** Every command's runner, by its words (`rekey <words>`); help texts live in ../usage.ts. */
import { init } from './init.js';
import { policyCheck, policySchemaCmd } from './policy.js';
import { planCmd } from './plan.js';
import { rotateCmd } from './rotate.js';
import { resume } from './resume.js';
import { statusCmd } from './status.js';
import { putCmd } from './put.js';
import { execCmd } from './exec.js';
import { adoptCmd, resolveCmd, devicesCmd } from './openclaw.js';
import { serviceRender } from './service.js';
import { auditShow, auditVerify } from './audit.js';
import type { CommandContext } from './context.js';

export const RUNNERS: Record<string, (c: CommandContext) => Promise<number>> = {
  'init': init,
  'policy check': policyCheck,
  'policy schema': policySchemaCmd,
  plan: planCmd,
  'rotate': rotateCmd,
  'resume': resume,
  'status': statusCmd,
  'put': putCmd,
  'exec': execCmd,
  'openclaw adopt': adoptCmd,
  'openclaw resolve': resolveCmd,
  'openclaw devices': devicesCmd,
  'service render': serviceRender,
  'audit verify': auditVerify,
  'audit show': auditShow,
  'audit export': auditShow,
};
