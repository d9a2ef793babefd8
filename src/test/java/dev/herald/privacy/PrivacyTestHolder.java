package dev.herald.privacy;

import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.DataSubjectKind;
import dev.herald.platform.personaldata.PersonalDataArchive;
import dev.herald.platform.personaldata.PersonalDataCategory;
import dev.herald.platform.personaldata.PersonalDataColumn;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.PersonalDataTable;
import dev.herald.platform.personaldata.RetentionCategory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * A holder for a capability that has none yet ("billing"), holding rows in memory per organization and address key:
 * what it exports (with a formula and markup in it) and that its erase ran, and with which subject, is visible to the
 * tests whatever the other capabilities' holders do.
 */
@TestConfiguration(proxyBeanMethods = false)
class PrivacyTestHolder {
  static final Map<String, List<Map<String, Object>>> ROWS = new ConcurrentHashMap<>();
  static final List<DataSubject> ERASED = new CopyOnWriteArrayList<>();

  static String key(long org, String addressKey) {
    return org + "|" + addressKey;
  }

  @Bean
  PersonalDataHolder billingTestHolder() {
    return new PersonalDataHolder() {
      @Override
      public String capability() {
        return "billing";
      }

      @Override
      public List<PersonalDataTable> tables() {
        return List.of(PersonalDataTable.of("privacy_test_invoice", DataSubjectKind.SUBSCRIBER, "Invoices for the tests",
            List.of(PersonalDataColumn.deleted("buyer", PersonalDataCategory.CONTACT, RetentionCategory.ACCOUNT_LIFETIME),
                PersonalDataColumn.kept("amount", PersonalDataCategory.PROFILE, RetentionCategory.AUDIT_LOG, "accounting law"))));
      }

      @Override
      public void export(DataSubject person, PersonalDataArchive archive) {
        List<Map<String, Object>> rows = ROWS.getOrDefault(key(person.organizationId(), person.addressKey()), List.of());
        archive.section("billing", "invoices", "What you bought", new ArrayList<>(rows));
      }

      @Override
      public ErasureCount erase(DataSubject person) {
        ERASED.add(person);
        List<Map<String, Object>> gone = ROWS.remove(key(person.organizationId(), person.addressKey()));
        return new ErasureCount(Map.of("privacy_test_invoice", gone == null ? 0 : gone.size()), Map.of());
      }
    };
  }

  static Map<String, Object> row(Object... keyValues) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) row.put((String) keyValues[i], keyValues[i + 1]);
    return row;
  }
}
