import { DOCUMENT_STORE_SCHEMA } from "../objects/document-store";
import { EVENT_OUTBOX_SCHEMA } from "../objects/event-outbox";
import { OPERATIONS_SCHEMA } from "../objects/operation-log";

/**
 * The payout object's SQLite schema, an append-only list applied in its constructor: the kernel's
 * document, steps, operations and event outbox. The payout itself is the document
 * (domain/payout-machine.ts).
 */
export const PAYOUT_MIGRATIONS: readonly string[] = [`${DOCUMENT_STORE_SCHEMA}\n${OPERATIONS_SCHEMA}\n${EVENT_OUTBOX_SCHEMA}`];
