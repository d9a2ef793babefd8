package dev.herald.privacy;

import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.PersonalDataTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The personal-data map: every capability's {@link PersonalDataHolder}, collected. Requests, retention and the record
 * of processing activities go through it, never through another capability's tables.
 */
@Component
public class PersonalDataMap {
  /** DESIGN.md's capability order, left to right; erasure runs right to left. */
  static final List<String> CAPABILITY_ORDER = List.of("platform", "tenancy", "audiences", "content", "domains", "suppression",
      "messages", "delivery", "relay", "campaigns", "tracking", "feedback", "webhooks", "reports", "privacy", "billing");

  private final List<PersonalDataHolder> holders;

  PersonalDataMap(List<PersonalDataHolder> holders) {
    Map<String, String> declaredBy = new HashMap<>();
    for (PersonalDataHolder h : holders) {
      if (!CAPABILITY_ORDER.contains(h.capability())) {
        throw new IllegalStateException(h.getClass().getName() + " declares an unknown capability '" + h.capability() + "'");
      }
      for (PersonalDataTable t : h.tables()) {
        String earlier = declaredBy.put(t.table(), h.capability());
        if (earlier != null) throw new IllegalStateException("table " + t.table() + " declared by " + earlier + " and " + h.capability());
      }
    }
    List<PersonalDataHolder> ordered = new ArrayList<>(holders);
    ordered.sort(Comparator.comparingInt(h -> CAPABILITY_ORDER.indexOf(h.capability())));
    this.holders = List.copyOf(ordered);
  }

  /** The holders, in DESIGN.md's capability order (left to right). */
  public List<PersonalDataHolder> holders() {
    return holders;
  }

  /** The holders in the order an erasure calls them: rightmost capability first. */
  public List<PersonalDataHolder> erasureOrder() {
    return holders.reversed();
  }

  /** Every declared table, with the capability that declared it. */
  public Map<String, String> declaredTables() {
    Map<String, String> tables = new HashMap<>();
    for (PersonalDataHolder h : holders) {
      for (PersonalDataTable t : h.tables()) tables.put(t.table(), h.capability());
    }
    return tables;
  }
}
