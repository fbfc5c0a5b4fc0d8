/** Team roles, most powerful first. */
export const ROLES = ["owner", "admin", "developer", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** What each role may do on the dashboard API; every dashboard route names one of these. */
export type Permission = "read" | "manage_keys" | "manage_live_keys" | "manage_settings" | "manage_members";

const GRANTS: Record<Role, readonly Permission[]> = {
  owner: ["read", "manage_keys", "manage_live_keys", "manage_settings", "manage_members"],
  admin: ["read", "manage_keys", "manage_live_keys", "manage_settings", "manage_members"],
  developer: ["read", "manage_keys"],
  viewer: ["read"],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** Only an owner may grant or take away the owner role. */
export function canAssign(actor: Role, target: Role): boolean {
  return target !== "owner" || actor === "owner";
}

/**
 * What acting in a mode takes: whoever may hold a key of that mode may do through the dashboard what
 * that key does through the API (capture, refund, webhook endpoints); live keys need an owner or admin.
 */
export function modePermission(mode: "sandbox" | "live"): Permission {
  return mode === "live" ? "manage_live_keys" : "manage_keys";
}
