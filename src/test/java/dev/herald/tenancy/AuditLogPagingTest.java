package dev.herald.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/**
 * The panel's audit log, the organization's and the operator's, pages past its newest 200 entries (issue 9: it showed
 * those 200 and no more), keeping the filters (actor, action prefix, dates) from one page to the next, in a stable order
 * even where entries share their instant.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class AuditLogPagingTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired JdbcClient jdbc;

  private static final Pattern ROW = Pattern.compile("<td class=\"wrap\">row (\\d+)</td>");
  private static final Instant NEWEST = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(1, ChronoUnit.HOURS);

  /**
   * Entries "row 1" (newest) to "row {@code n}" by {@code actor}, two to an instant (ties are ordered by id, so row 1 is
   * given the higher id of its pair), between noise of another action and another actor.
   */
  private void seed(Long orgId, String actor, int n) {
    for (int i = n; i >= 1; i--) {
      Instant at = NEWEST.minusSeconds(60L * ((i - 1) / 2));
      insert(orgId, "someone.else@example.com", "list.created", at, "noise");
      insert(orgId, actor, "member.invited", at, "noise");
      insert(orgId, actor, "list.created", at, "row " + i);
    }
  }

  private void insert(Long orgId, String actor, String action, Instant at, String detail) {
    jdbc.sql("insert into audit_event (organization_id, actor, action, object_type, detail, at) values (?, ?, ?, 'list', ?, ?)")
        .params(orgId, actor, action, detail, java.sql.Timestamp.from(at)).update();
  }

  private String page(String url, RequestPostProcessor who) throws Exception {
    // A URI, not a template: MockMvc would encode the %2B and %40 of the pager's links once more.
    var response = mvc.perform(get(java.net.URI.create(url)).with(who)).andReturn().getResponse();
    assertThat(response.getStatus()).as(url).isEqualTo(200);
    return response.getContentAsString();
  }

  private static List<Integer> rows(String html) {
    List<Integer> rows = new ArrayList<>();
    Matcher m = ROW.matcher(html);
    while (m.find()) rows.add(Integer.parseInt(m.group(1)));
    return rows;
  }

  private static String href(String html, String rel) {
    Matcher m = Pattern.compile("<a rel=\"" + rel + "\" href=\"([^\"]*)\"").matcher(html);
    assertThat(m.find()).as("a %s link", rel).isTrue();
    return m.group(1).replace("&amp;", "&");
  }

  @Test
  void page_two_of_the_organizations_log_shows_rows_201_on_with_the_filters_kept() throws Exception {
    var org = organizations.create("Audit Pages Co", "members:read");
    String actor = "ada+audit@example.com";
    seed(org.id(), actor, 260);
    RequestPostProcessor owner = organizations.asOwner(org);
    LocalDate day = LocalDate.ofInstant(NEWEST, ZoneOffset.UTC);
    String first = "/o/" + org.slug() + "/audit?actor=" + actor.replace("+", "%2B") + "&action=list.&from=" + day.minusDays(1)
        + "&to=" + day;

    String one = page(first, owner);
    assertThat(rows(one)).isEqualTo(IntStream.rangeClosed(1, 200).boxed().toList());
    assertThat(one).contains("Page 1 of 2 · 260 entries").doesNotContain("rel=\"prev\"");
    String next = href(one, "next");
    assertThat(next).isEqualTo("/o/" + org.slug() + "/audit?actor=ada%2Baudit%40example.com&action=list.&from=" + day.minusDays(1)
        + "&to=" + day + "&page=1");

    String two = page(next, owner);
    assertThat(rows(two)).as("rows 201 to 260, in order, none twice").isEqualTo(IntStream.rangeClosed(201, 260).boxed().toList());
    assertThat(two).contains("Page 2 of 2 · 260 entries").doesNotContain("rel=\"next\"");
    // The filter form shows the filters the page was drawn with, and Previous goes back with them.
    assertThat(two).contains("value=\"ada+audit@example.com\"", "value=\"list.\"", "value=\"" + day.minusDays(1) + "\"");
    assertThat(rows(page(href(two, "prev"), owner))).hasSize(200).startsWith(1);

    // Without filters every entry of the organization pages the same way (260 x 3 entries, plus its creation's).
    String all = page("/o/" + org.slug() + "/audit?page=1", owner);
    assertThat(all).containsPattern("Page 2 of 4 · 7\\d\\d entries");
  }

  @Test
  void the_operators_log_pages_too() throws Exception {
    String actor = "ops.pager@example.com";
    seed(null, actor, 205);
    RequestPostProcessor operator = organizations.asNewOperator("operator@audit-pages.test");
    String one = page("/operator/audit?actor=" + actor + "&action=list.", operator);
    assertThat(rows(one)).hasSize(200).startsWith(1, 2, 3);
    String two = page(href(one, "next"), operator);
    assertThat(href(one, "next")).isEqualTo("/operator/audit?actor=ops.pager%40example.com&action=list.&page=1");
    assertThat(rows(two)).containsExactly(201, 202, 203, 204, 205);
    assertThat(two).contains("Page 2 of 2 · 205 entries");
  }

  @Test
  void a_page_past_the_last_says_there_is_no_such_page_and_links_to_the_last() throws Exception {
    // It showed "No entries match." above "Page 6 of 2", for a log that has entries.
    String actor = "past.last@example.com";
    seed(null, actor, 205);
    RequestPostProcessor operator = organizations.asNewOperator("operator@audit-past-last.test");
    String past = page("/operator/audit?actor=" + actor + "&action=list.&page=5", operator);
    assertThat(past).contains("There is no page 6;").doesNotContain("Page 6 of 2").doesNotContain("No entries match.");
    assertThat(href(past, "last")).isEqualTo("/operator/audit?actor=past.last%40example.com&action=list.&page=1");
    assertThat(rows(page(href(past, "last"), operator))).containsExactly(201, 202, 203, 204, 205);
    assertThat(page("/operator/audit?actor=nobody.at.all@example.com", operator)).as("a log with no entries still says so")
        .contains("No entries match.").doesNotContain("There is no page");
  }
}
