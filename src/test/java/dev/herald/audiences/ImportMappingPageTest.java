package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.Browser;
import dev.herald.testsupport.WebClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.util.HtmlUtils;

/** The import's mapping page over a real socket and session: a refused start keeps every choice made. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import({AudienceFixtures.class, TestOrganizations.class})
class ImportMappingPageTest {
  @LocalServerPort int port;
  @Autowired AudienceFixtures fixtures;
  @Autowired Imports imports;
  @Autowired JdbcClient jdbc;

  @Test
  void a_refused_start_keeps_what_the_person_chose() {
    TestOrganizations.Created org = fixtures.organization("Mapping Co");
    long listId = jdbc.sql("insert into mailing_list (organization_id, name) values (?, 'L') returning id").param(org.id())
        .query(Long.class).single();
    long id = imports.upload(org.id(), null, listId, "a.csv", "email,name\nann@example.com,Ann\n".getBytes(StandardCharsets.UTF_8), null);
    WebClient web = new WebClient(port);
    assertThat(web.submit("/login", "/login", Map.of("email", org.ownerEmail(), "password", "correct horse battery")).locationPath())
        .isEqualTo("/dashboard");
    String page = "/o/" + org.slug() + "/imports/" + id;
    web.get(page);
    WebClient.Page refused = web.post(page + "/start", Map.of("map.email", "email", "map.name", "ignore", "importAs", "unconfirmed",
        "overwrite", "true", "tags", "spring, fair", "consentBasis", ""));
    String again = web.get(refused.locationPath()).body();
    assertThat(again).contains("State how these people gave their consent");
    assertThat(again).containsPattern("<option value=\"unconfirmed\" selected=\"selected\"");
    assertThat(again).containsPattern("id=\"overwrite\"[^>]*checked=\"checked\"");
    assertThat(again).contains("value=\"spring, fair\"");
    assertThat(again).containsPattern("name=\"map.name\">\\s*<option value=\"ignore\" selected=\"selected\"");
    assertThat(imports.find(org.id(), id).orElseThrow().status()).isEqualTo(ImportStatus.DRAFT);
  }

  /** A target the select did not name would be offered as its code, or (left out of the labels) not at all. */
  @Test
  void every_mapping_target_has_words_for_people() {
    assertThat(ImportsController.TARGET_LABELS.keySet()).containsExactlyInAnyOrderElementsOf(ImportFiles.TARGETS);
    assertThat(ImportsController.TARGET_LABELS.values()).doesNotHaveDuplicates().noneMatch(label -> label.matches("[a-z_:]+"));
  }

  /**
   * Regression (issue 9): the mapping step showed no values. Each format gives the first non-blank values of each
   * column; a long CSV is read only from its start; a started job has no samples (its file goes when it finishes).
   */
  @Test
  void samples_are_the_first_values_of_each_column_in_every_format() throws Exception {
    TestOrganizations.Created org = fixtures.organization("Samples Co");
    long listId = jdbc.sql("insert into mailing_list (organization_id, name) values (?, 'L') returning id").param(org.id())
        .query(Long.class).single();

    long json = imports.upload(org.id(), null, listId, "a.json", """
        [{"email": "ann@example.com", "tags": ["a", "b"]}, {"email": "bob@example.com", "city": "Porto"}]"""
        .getBytes(StandardCharsets.UTF_8), null);
    assertThat(imports.samples(org.id(), json)).containsExactly(
        Map.entry("email", List.of("ann@example.com", "bob@example.com")), Map.entry("tags", List.of("a,b")),
        Map.entry("city", List.of("Porto")));

    byte[] workbook = SubscriberFileXlsxTest.workbook(ws -> {
      ws.value(0, 0, "Email Address");
      ws.value(0, 1, "Score");
      for (int r = 1; r <= 5; r++) {
        ws.value(r, 0, "p" + r + "@example.com");
        ws.value(r, 1, r * 10);
      }
    });
    long xlsx = imports.upload(org.id(), null, listId, "a.xlsx", workbook, null);
    assertThat(imports.samples(org.id(), xlsx)).containsExactly(
        Map.entry("Email Address", List.of("p1@example.com", "p2@example.com", "p3@example.com")),
        Map.entry("Score", List.of("10", "20", "30")));

    // 3 MB of CSV, of which only the start is read for samples (cut mid-row): its first rows.
    StringBuilder big = new StringBuilder("email,note\n,\n");
    for (int i = 0; big.length() < 3 << 20; i++) big.append("person").append(i).append("@example.com,").append("x".repeat(200)).append('\n');
    long csv = imports.upload(org.id(), null, listId, "big.csv", big.toString().getBytes(StandardCharsets.UTF_8), null);
    assertThat(imports.samples(org.id(), csv)).containsExactly(
        Map.entry("email", List.of("person0@example.com", "person1@example.com", "person2@example.com")),
        Map.entry("note", List.of("x".repeat(Imports.SAMPLE_CHARS - 1) + "…", "x".repeat(Imports.SAMPLE_CHARS - 1) + "…",
            "x".repeat(Imports.SAMPLE_CHARS - 1) + "…")));

    imports.start(org.id(), csv, null, "subscribed", "a form", false, List.of());
    assertThat(imports.samples(org.id(), csv)).isEmpty();
    assertThat(imports.samples(org.id() + 1000, json)).as("another organization's draft").isEmpty();
  }

  /** Regression (issue 9's trial): the recognized layout's note said "columns going to ignore", the option says "Don't import". */
  @Test
  void the_layout_note_names_the_dont_import_option_as_the_select_labels_it() {
    TestOrganizations.Created org = fixtures.organization("Ignore Words Co");
    String page = "/o/" + org.slug() + "/imports/" + ghostDraft(org, "ann@example.com");
    WebClient web = new WebClient(port);
    web.submit("/login", "/login", Map.of("email", org.ownerEmail(), "password", "correct horse battery"));
    String html = HtmlUtils.htmlUnescape(web.get(page).body());
    String dontImport = ImportsController.TARGET_LABELS.get("ignore");
    assertThat(html).contains("Recognized: <strong>Ghost members export</strong>", "columns set to <em>" + dontImport + "</em>",
        "<option value=\"ignore\">" + dontImport + "</option>").doesNotContain("going to <em>ignore</em>");
  }

  /** Regression (issue 9's trial): at 390 px a long sample address broke mid-address, over two lines. */
  @Test
  void at_390_px_a_long_sample_address_is_cut_with_an_ellipsis_not_broken_over_lines() throws Exception {
    TestOrganizations.Created org = fixtures.organization("Narrow Samples Co");
    String longAddress = "some.long.name@newsletters.example.org"; // under Imports.SAMPLE_CHARS, so shown whole by the server
    String page = "/o/" + org.slug() + "/imports/" + ghostDraft(org, longAddress);
    try (Browser browser = Browser.start(port)) {
      browser.signIn(org.ownerEmail(), "correct horse battery");
      browser.waitForPath("/dashboard");
      browser.driver().manage().window().setSize(new Dimension(390, 844));
      browser.open(page);
      WebElement sample = browser.visible(By.cssSelector("li[title='" + longAddress + "']"));
      WebElement shortSample = browser.visible(By.cssSelector("li[title='true']"));
      assertThat(sample.getCssValue("text-overflow")).isEqualTo("ellipsis");
      assertThat(sample.getSize().getHeight()).as("one line, as high as a short value").isEqualTo(shortSample.getSize().getHeight());
      assertThat((Boolean) browser.js().executeScript("return arguments[0].scrollWidth > arguments[0].clientWidth", sample))
          .as("cut, not shown whole").isTrue();
      long inner = ((Number) browser.js().executeScript("return window.innerWidth")).longValue();
      long scroll = ((Number) browser.js().executeScript("return document.documentElement.scrollWidth")).longValue();
      assertThat(scroll).as("nothing to scroll sideways to").isLessThanOrEqualTo(inner);
    }
  }

  /** A draft of a Ghost members export (a layout Herald recognizes) whose one row has this email. */
  private long ghostDraft(TestOrganizations.Created org, String email) {
    long listId = jdbc.sql("insert into mailing_list (organization_id, name) values (?, 'L') returning id").param(org.id())
        .query(Long.class).single();
    String csv = "id,email,name,subscribed_to_emails,complimentary_plan\n1," + email + ",Ann,true,false\n";
    return imports.upload(org.id(), null, listId, "members.csv", csv.getBytes(StandardCharsets.UTF_8), null);
  }
}
