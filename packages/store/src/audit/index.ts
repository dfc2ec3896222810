export { AuditLog, AuditEventRejectedError, auditHash, AUDIT_GENESIS_HASH, type AuditLogOptions } from './audit-log.ts';
export { verifyAuditChain, type AuditChainProblem, type AuditChainReport, type VerifyOptions } from './verify.ts';
