/** The fields of Kubernetes object metadata Courier reads and writes; each module declares the few fields of its own kinds beside it. */

/** A reference to an object's owner: the garbage collector deletes the object when its last owner is gone. */
export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

/**
 * `metadata` as Courier uses it. An object read from the API carries more (resourceVersion, uid,
 * managedFields, ...); spreading it into a write sends those back unchanged, which is what an update needs.
 */
export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly OwnerReference[];
}
