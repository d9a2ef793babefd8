package dev.herald.domains;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.PersonalDataScan;
import dev.herald.mail.AddressDigest;
import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.PersonalDataTable;
import dev.herald.platform.personaldata.RetentionCategory;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Domains' part of the personal-data map: its three tables, every text column declared as the migrations made
 * them, none personal (domain names, public DKIM keys, DNS answers); access, erasure and retention do nothing here.
 */
@SpringBootTest
class DomainsPersonalDataTest {
  @Autowired List<PersonalDataHolder> holders;
  @Autowired JdbcClient jdbc;

  @Test
  void sending_domains_keys_and_checks_are_declared_without_personal_data() {
    PersonalDataHolder domains = holders.stream().filter(h -> h.capability().equals("domains")).findFirst().orElseThrow();
    assertThat(domains.tables()).extracting(PersonalDataTable::table).containsExactly("sending_domain", "dkim_key", "domain_record_check");
    assertThat(domains.tables()).allSatisfy(t -> assertThat(t.subject()).isNull());
    PersonalDataScan.assertDeclaredAsMigrated(jdbc, domains);

    DataSubject ann = new DataSubject(1, "ann@one.example", "ann@one.example", AddressDigest.of("ann@one.example"), List.of());
    PersonalDataScan.Archive archive = new PersonalDataScan.Archive();
    domains.export(ann, archive);
    assertThat(archive.sections).isEmpty();
    assertThat(domains.erase(ann).deleted()).isEmpty();
    for (RetentionCategory c : RetentionCategory.values()) assertThat(domains.purge(c, null, Instant.now(), 10)).isZero();
  }
}
