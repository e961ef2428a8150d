// The governance calls live in api.ts with every other URL; this name stays for the
// modules that import it.
export { type AuditEntry, type Ban, gov, reasonHeader, type RoleBody } from "./api";
