package dev.herald.audiences;

import dev.herald.tenancy.AuditLog;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * Writes "import.finished" with the counts into the organization's audit log once an import's merge has
 * committed. It need not commit with the merge (the job row already holds the counts, and a failed audit
 * insert must not undo a million merged rows), so it runs after the commit, on its own thread and in its
 * own transaction, from Spring Modulith's publication registry: if the node stops first, the publication
 * stays incomplete and is run again at the next start. That makes it at-least-once: a crash between the
 * insert and the registry's completion could write the entry twice, which an audit log can bear.
 */
@Component
class ImportAudit {
  private final AuditLog audit;

  ImportAudit(AuditLog audit) {
    this.audit = audit;
  }

  @ApplicationModuleListener
  void on(Imports.SubscribersImported imported) {
    audit.record(imported.organizationId(), "import.finished", "import", imported.jobId(),
        imported.inserted() + " added, " + imported.updated() + " updated, "
            + imported.subscriptionChanged() + " existing added to the list or status changed, " + imported.skipped() + " set aside, list " + imported.listId());
  }
}
