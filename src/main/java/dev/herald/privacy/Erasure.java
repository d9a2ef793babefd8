package dev.herald.privacy;

import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.PersonalDataHolder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The right to erasure (GDPR article 17) across every capability: each holder of the personal-data map erases what it
 * holds about the person, rightmost capability first ({@link PersonalDataMap#erasureOrder}), all in the caller's one
 * transaction, so that a failure anywhere leaves everything as it was. What comes back is the completion record:
 * counts per capability and table, nothing that identifies the person. The keyed-hash suppression entry that keeps
 * them from being added again is the suppression holder's part of it.
 */
@Component
class Erasure {
  private final PersonalDataMap map;

  Erasure(PersonalDataMap map) {
    this.map = map;
  }

  /** Erases the person; must run inside a transaction (the request's completion, or an erasure route's). */
  @Transactional(propagation = Propagation.MANDATORY)
  Map<String, Object> erase(DataSubject person) {
    Map<String, Object> record = new LinkedHashMap<>();
    long deleted = 0, anonymized = 0;
    for (PersonalDataHolder h : map.erasureOrder()) {
      PersonalDataHolder.ErasureCount c = h.erase(person);
      if (c == null) c = PersonalDataHolder.ErasureCount.none();
      Map<String, Object> counts = new LinkedHashMap<>();
      counts.put("deleted", new java.util.TreeMap<>(c.deleted()));
      counts.put("anonymized", new java.util.TreeMap<>(c.anonymized()));
      record.put(h.capability(), counts);
      deleted += c.deleted().values().stream().mapToLong(Integer::longValue).sum();
      anonymized += c.anonymized().values().stream().mapToLong(Integer::longValue).sum();
    }
    Map<String, Object> outcome = new LinkedHashMap<>();
    outcome.put("rowsDeleted", deleted);
    outcome.put("rowsAnonymized", anonymized);
    outcome.put("capabilities", record);
    return outcome;
  }
}
