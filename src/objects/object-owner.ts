import type { Owner } from "../domain/mode";
import type { MetaStore } from "./object-clock";

/** What a caller says of itself: the owner it acts for, and whether the registry proved it. */
export interface Caller {
  /** Absent only on calls between objects, whose ids came from the objects' own records. */
  owner?: Owner;
  /** True when the caller found the object through the registry, which proves the owner. */
  owner_verified?: boolean;
}

/**
 * Who an object belongs to (a merchant, in one mode), kept in its meta. An object with no owner
 * yet takes one only from a caller that found it through the registry; until then, and for anyone
 * but its owner, it answers as if it did not exist, without writing anything — so ids may route
 * straight to objects and a guessed id learns nothing.
 */
export class ObjectOwner {
  constructor(private readonly meta: MetaStore) {}

  get(): Owner | null {
    const merchant_id = this.meta.getMeta("merchant_id");
    const mode = this.meta.getMeta("mode");
    return merchant_id && (mode === "sandbox" || mode === "live") ? { merchant_id, mode } : null;
  }

  /** Whether the caller may enter; the first proven caller of an unowned object becomes its owner. */
  admits(caller: Caller): boolean {
    if (!caller.owner) return true;
    const owner = this.get();
    if (owner) return owner.merchant_id === caller.owner.merchant_id && owner.mode === caller.owner.mode;
    if (!caller.owner_verified) return false;
    this.meta.setMeta("merchant_id", caller.owner.merchant_id);
    this.meta.setMeta("mode", caller.owner.mode);
    return true;
  }
}
