package dev.herald.content;

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
 * Content's part of the personal-data map: its three tables, every text and bytea column declared as the migrations made
 * them, none personal (the organization's own templates and images); access, erasure and retention do nothing here.
 */
@SpringBootTest
class ContentPersonalDataTest {
  @Autowired List<PersonalDataHolder> holders;
  @Autowired JdbcClient jdbc;

  @Test
  void templates_categories_and_media_are_declared_as_the_organizations_content() {
    PersonalDataHolder content = holders.stream().filter(h -> h.capability().equals("content")).findFirst().orElseThrow();
    assertThat(content.tables()).extracting(PersonalDataTable::table).containsExactly("template_category", "template", "media");
    assertThat(content.tables()).allSatisfy(t -> assertThat(t.subject()).isNull());
    PersonalDataScan.assertDeclaredAsMigrated(jdbc, content);

    DataSubject ann = new DataSubject(1, "ann@one.example", "ann@one.example", AddressDigest.of("ann@one.example"), List.of());
    PersonalDataScan.Archive archive = new PersonalDataScan.Archive();
    content.export(ann, archive);
    assertThat(archive.sections).isEmpty();
    assertThat(content.erase(ann).deleted()).isEmpty();
    for (RetentionCategory c : RetentionCategory.values()) assertThat(content.purge(c, null, Instant.now(), 10)).isZero();
  }
}
