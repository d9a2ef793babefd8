package dev.herald.audiences;

import dev.herald.platform.Leases;
import java.util.List;
import java.util.Map;

/**
 * One attempt at an import job: what the job asks for, and the lease this attempt holds. Every write of
 * the attempt is fenced by that lease, so an attempt whose job was taken over writes nothing more.
 */
record ImportRun(Leases.Lease lease, long orgId, long listId, String format, byte[] content, Map<String, String> mapping,
    SubscriptionStatus importAs, String basis, boolean overwrite, List<String> tags) {

  long id() {
    return lease.jobId();
  }

  /** This run without its file, for after the staging: the merge does not need it, and a large file is tens of MB of heap. */
  ImportRun withoutContent() {
    return new ImportRun(lease, orgId, listId, format, null, mapping, importAs, basis, overwrite, tags);
  }

  /** Thrown when a fenced write finds the job taken over by another node: the attempt stops, writing nothing. */
  static final class LeaseLost extends RuntimeException {
    LeaseLost(ImportRun run) {
      super("Import " + run.id() + " was taken over by another node (attempt " + run.lease().attempt() + " lost its lease)", null,
          false, false);
    }
  }
}
