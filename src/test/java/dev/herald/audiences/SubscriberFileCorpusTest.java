package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Real-world layouts from the shared corpus (Mailchimp exports, a German semicolon/Windows-1252 file, edge cases). CI
 * clones the project beside shared/, so the corpus is at ../shared from the project root.
 */
class SubscriberFileCorpusTest {
  static final Path CORPUS = Path.of("../shared/corpora/subscriber-csv");

  record Read(List<String> headers, List<SubscriberFileRow> rows) {}

  static Read read(String name) throws IOException {
    Path path = CORPUS.resolve(name);
    assertThat(path).as("corpus file (is shared/ beside the project?)").exists();
    try (InputStream in = Files.newInputStream(path); var file = SubscriberFileReader.open(in, SubscriberFileFormat.CSV)) {
      return new Read(file.headers(), file.rows().toList());
    }
  }

  @Test
  void mailchimp_subscribed_export() throws IOException {
    Read read = read("subscribed_members_export_synthetic.csv");
    assertThat(read.headers()).hasSize(20).startsWith("Email Address", "First Name", "Last Name").endsWith("NOTES", "TAGS");
    assertThat(read.rows()).hasSize(200).noneMatch(SubscriberFileRow::cellCountMismatch);
    SubscriberFileRow first = read.rows().getFirst();
    assertThat(first.line()).isEqualTo(2);
    assertThat(first.cells().subList(0, 5)).containsExactly("bradley.rodgers0@example.com", "Bradley", "Rodgers", "3",
        "2020-10-28 21:46:10");
    assertThat(first.cell(19)).isEqualTo("customer");
    SubscriberFileRow tara = read.rows().get(6);
    assertThat(tara.line()).isEqualTo(8);
    assertThat(tara.cell(0)).isEqualTo("tara.reid6@example.com");
    assertThat(tara.cell(19)).isEqualTo("\"vip\",\"newsletter\""); // Mailchimp quotes each tag inside the cell
    assertThat(read.rows().getLast().line()).isEqualTo(201);
    assertThat(read.rows().getLast().cell(0)).isEqualTo("erin.sanchez199@example.net");
  }

  @Test
  void mailchimp_unsubscribed_export() throws IOException {
    Read read = read("unsubscribed_members_export_synthetic.csv");
    assertThat(read.headers()).hasSize(25).contains("UNSUB_TIME", "UNSUB_REASON", "UNSUB_REASON_OTHER");
    assertThat(read.rows()).hasSize(20).noneMatch(SubscriberFileRow::cellCountMismatch);
    SubscriberFileRow first = read.rows().getFirst();
    assertThat(first.cell(0)).isEqualTo("jennifer.hughes1000@example.org");
    assertThat(first.cell(read.headers().indexOf("UNSUB_REASON"))).isEqualTo("SPAM");
    assertThat(first.cell(read.headers().indexOf("UNSUB_TIME"))).isEqualTo("2024-10-26 18:49:07");
    assertThat(read.rows().getLast().line()).isEqualTo(21);
    assertThat(read.rows().getLast().cell(0)).isEqualTo("anthony.barnes1019@mail.example.co.uk");
  }

  @Test
  void mailchimp_cleaned_export() throws IOException {
    Read read = read("cleaned_members_export_synthetic.csv");
    assertThat(read.headers()).hasSize(23).contains("CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID");
    assertThat(read.rows()).hasSize(10).noneMatch(SubscriberFileRow::cellCountMismatch);
    SubscriberFileRow first = read.rows().getFirst();
    assertThat(first.cells().subList(0, 3)).containsExactly("veronica.lewis2000@example.de", "Veronica", "Lewis");
    assertThat(first.cell(read.headers().indexOf("CLEAN_CAMPAIGN_TITLE"))).isEqualTo("Spring newsletter");
    assertThat(read.rows().getLast().line()).isEqualTo(11);
  }

  @Test
  void mailchimp_exports_map_without_manual_work() throws IOException {
    for (String name : List.of("subscribed_members_export_synthetic.csv", "unsubscribed_members_export_synthetic.csv",
        "cleaned_members_export_synthetic.csv")) {
      Map<String, String> mapping = SubscriberFileReader.suggestMapping(read(name).headers());
      assertThat(mapping).containsEntry("Email Address", "email").containsEntry("First Name", "first_name")
          .containsEntry("Last Name", "last_name").containsEntry("TAGS", "tags")
          .containsEntry("OPTIN_TIME", "optin_time").containsEntry("OPTIN_IP", "optin_ip")
          .containsEntry("CONFIRM_TIME", "confirm_time").containsEntry("CONFIRM_IP", "confirm_ip");
      assertThat(mapping.values()).as(name).noneMatch(target -> target.startsWith("field:"));
    }
  }

  @Test
  void german_semicolon_windows_1252_file() throws IOException {
    Read read = read("semicolon-delimited.csv");
    assertThat(read.headers()).containsExactly("E-Mail", "Vorname", "Nachname");
    assertThat(read.rows()).extracting(SubscriberFileRow::cells).containsExactly(
        List.of("mueller@example.de", "Jürgen", "Müller"), List.of("schmidt@example.de", "Anna", "Schmidt"));
    assertThat(read.rows()).extracting(SubscriberFileRow::line).containsExactly(2L, 3L);
    assertThat(SubscriberFileReader.suggestMapping(read.headers()))
        .containsExactly(Map.entry("E-Mail", "email"), Map.entry("Vorname", "first_name"), Map.entry("Nachname", "last_name"));
  }

  @Test
  void edge_cases_match_their_expectations_row_by_row() throws IOException {
    Read read = read("edge-cases.csv");
    assertThat(read.headers()).containsExactly("email", "name"); // the BOM is gone
    JsonNode expected = JsonMapper.builder().build().readTree(CORPUS.resolve("edge-cases.expected.json"));
    assertThat(read.rows()).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      JsonNode want = expected.get(i);
      SubscriberFileRow row = read.rows().get(i);
      assertThat(want.get("row").asInt()).isEqualTo(i + 1);
      assertThat(row.cell(0)).as("email of row %d", i + 1).isEqualTo(want.get("email").asString());
      assertThat(row.cell(1)).as("name of row %d", i + 1).isEqualTo(want.get("name").asString());
      assertThat(row.cellCountMismatch()).isFalse();
    }
    // Row 12's name holds a line break, so its record spans lines 13-14 and row 13 starts on line 15.
    assertThat(read.rows().get(11).cell(1)).isEqualTo("Line1\nLine2");
    assertThat(read.rows()).extracting(SubscriberFileRow::line)
        .containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 15L, 16L, 17L, 18L);
  }
}
