import type { CheckoutState } from "../domain/checkout-machine";
import { DocumentStore, type StepRow as AnyStepRow } from "../objects/document-store";
import type { PaymentStep } from "./types";

export type StepRow = AnyStepRow<PaymentStep["kind"]>;

export interface RefundRow {
  id: string;
  amount: number;
  reason: string;
  metadata: string;
  status: "pending" | "completed" | "failed";
  commission_returned: number | null;
  failure_message: string | null;
  created_at_ms: number;
  completed_at_ms: number | null;
  [key: string]: SqlStorageValue;
}

/**
 * Synchronous reads and writes of one payment object's storage; the only code that knows its
 * tables. The checkout document, meta and steps are the kernel's (objects/document-store.ts);
 * refunds are the payment's own. Callers group writes in one storage transaction per change.
 */
export class PaymentStore extends DocumentStore<CheckoutState, PaymentStep> {
  // ---- refunds ------------------------------------------------------------------------------

  addRefund(row: Omit<RefundRow, "commission_returned" | "failure_message" | "completed_at_ms" | "status">): void {
    this.sql.exec(
      "INSERT INTO refunds (id, amount, reason, metadata, status, created_at_ms) VALUES (?, ?, ?, ?, 'pending', ?)",
      row.id,
      row.amount,
      row.reason,
      row.metadata,
      row.created_at_ms,
    );
  }

  settleRefund(id: string, outcome: { commission_returned: number } | { failure_message: string }, now_ms: number): void {
    if ("failure_message" in outcome) {
      this.sql.exec(
        "UPDATE refunds SET status = 'failed', failure_message = ?, completed_at_ms = ? WHERE id = ?",
        outcome.failure_message,
        now_ms,
        id,
      );
    } else {
      this.sql.exec(
        "UPDATE refunds SET status = 'completed', commission_returned = ?, completed_at_ms = ? WHERE id = ?",
        outcome.commission_returned,
        now_ms,
        id,
      );
    }
  }

  getRefund(id: string): RefundRow | null {
    return this.sql.exec<RefundRow>("SELECT * FROM refunds WHERE id = ?", id).toArray()[0] ?? null;
  }

  refunds(): RefundRow[] {
    return this.sql.exec<RefundRow>("SELECT * FROM refunds ORDER BY created_at_ms, rowid").toArray();
  }
}
