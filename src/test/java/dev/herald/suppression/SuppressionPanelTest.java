package dev.herald.suppression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.audiences.SuppressionScreen;
import dev.herald.mail.AddressDigest;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.Role;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.WebClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.transaction.support.TransactionTemplate;

/** The suppression pages: an organization's list (owner and viewer) and the operator's installation-wide list. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class SuppressionPanelTest {
  @LocalServerPort int port;
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired Suppressions suppressions;
  @Autowired SuppressionScreen screen;
  @Autowired JdbcClient jdbc;
  @Autowired TransactionTemplate tx;

  TestOrganizations.Created acme;
  String page;
  static int counter;

  @BeforeEach
  void organization() {
    acme = organizations.create("Suppression Panel " + (++counter), "suppressions:read");
    page = "/o/" + acme.slug() + "/suppressions";
  }

  long add(Long org, String address, String domain, String reason, String note) {
    return suppressions.add(org, new Suppressions.NewEntry(address, domain, TextEnum.parse(SuppressionReason.class, "reason", reason), note, null), "test").entry().id();
  }

  String html(org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder request) throws Exception {
    MockHttpServletResponse r = mvc.perform(request).andReturn().getResponse();
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(200);
    return r.getContentAsString();
  }

  @Test
  void adding_lines_reports_each_bad_one_by_number_and_adds_the_good_ones() throws Exception {
    // Over a real socket and session: the form's CSRF token, the redirect and the flash messages on the next page.
    WebClient web = new WebClient(port);
    assertThat(web.submit("/login", "/login", Map.of("email", acme.ownerEmail(), "password", "correct horse battery")).locationPath())
        .isEqualTo("/dashboard");
    web.get(page);
    WebClient.Page posted = web.post(page, Map.of("entries", "Ann@Example.com\nnot an address@\n\n@Example.org\nxn--bcher-kva.example\nx@@y",
        "reason", "complaint", "note", "from the help desk"));
    assertThat(posted.status()).isEqualTo(302);
    String after = web.get(posted.locationPath()).body();
    assertThat(after).contains("3 added, 0 already suppressed.");
    assertThat(after).contains("Line 2 (not an address@): Not a valid email address");
    assertThat(after).contains("Line 6 (x@@y): Not a valid email address");
    assertThat(after).containsPattern("<textarea[^>]*>not an address@\nx@@y</textarea>");
    assertThat(jdbc.sql("select coalesce(address, domain) from suppression where organization_id = ? order by id").param(acme.id())
        .query(String.class).list()).containsExactly("ann@example.com", "example.org", "bücher.example");
    assertThat(jdbc.sql("select distinct source from suppression where organization_id = ?").param(acme.id()).query(String.class).single())
        .isEqualTo("panel:" + acme.ownerEmail());

    web.get(page);
    String again = web.get(web.post(page, Map.of("entries", "ann@example.com\nnew@example.com", "reason", "manual", "note", ""))
        .locationPath()).body();
    assertThat(again).contains("1 added, 1 already suppressed.");
  }

  @Test
  void erased_as_a_reason_and_an_empty_box_are_refused() throws Exception {
    MvcResult erased = mvc.perform(post(page).with(organizations.asOwner(acme)).with(csrf())
        .param("entries", "ann@example.com").param("reason", "erased")).andReturn();
    assertThat(erased.getFlashMap().get("errors")).isEqualTo(Map.of("reason", "Choose one of manual, hard_bounce, complaint, unsubscribe."));
    MvcResult empty = mvc.perform(post(page).with(organizations.asOwner(acme)).with(csrf())
        .param("entries", " \n ").param("reason", "manual")).andReturn();
    assertThat(empty.getFlashMap().get("errors")).isEqualTo(Map.of("entries", "Enter at least one address or domain."));
    assertThat(suppressions.search(acme.id(), "", null, 0, 10).total()).isZero();
  }

  @Test
  void the_list_searches_filters_and_shows_erased_entries_without_an_address() throws Exception {
    add(acme.id(), "ann@example.com", null, "complaint", null);
    add(acme.id(), "bob@example.com", null, "hard_bounce", null);
    add(acme.id(), null, "annex.example", "manual", null);
    tx.executeWithoutResult(s -> screen.rememberErased(acme.id(), "gone@example.com"));

    String all = html(get(page).with(organizations.asOwner(acme)));
    assertThat(all).contains("ann@example.com", "bob@example.com", "annex.example", "(erased)", "Page 1 of 1 · 4 entries");
    assertThat(all).doesNotContain("gone@example.com");
    assertThat(all).contains("Add to the list").contains("/delete\"");

    String ann = html(get(page).param("q", "ann").with(organizations.asOwner(acme)));
    assertThat(ann).contains(">ann@example.com<", ">annex.example<").doesNotContain(">bob@example.com<");
    String bounced = html(get(page).param("reason", "hard_bounce").with(organizations.asOwner(acme)));
    assertThat(bounced).contains(">bob@example.com<").doesNotContain(">ann@example.com<");
  }

  @Test
  void reasons_are_shown_in_words_not_as_api_codes() throws Exception {
    // The badges and both selects showed "hard bounce", "manual", "unsubscribe": the stored codes, underscores dropped.
    add(acme.id(), "bob@example.com", null, "hard_bounce", null);
    add(acme.id(), "cat@example.com", null, "manual", null);
    String html = html(get(page).param("reason", "hard_bounce").with(organizations.asOwner(acme)));
    assertThat(html).contains("<span class=\"badge reason-hard_bounce\">Hard bounce</span>")
        .contains("<option value=\"hard_bounce\" selected=\"selected\">Hard bounce</option>")
        .contains("<option value=\"manual\" selected=\"selected\">Added by hand</option>")
        .contains("<option value=\"complaint\">Spam complaint</option>")
        .doesNotContain(">hard bounce<").doesNotContain(">manual<").doesNotContain(">unsubscribe<");
  }

  @Test
  void the_check_answers_htmx_with_a_fragment_and_a_plain_request_with_the_page() throws Exception {
    add(acme.id(), "cat@example.net", null, "complaint", null);
    add(null, null, "example.net", "manual", null);

    String fragment = html(get(page + "/check").param("address", "CAT@example.net").header("HX-Request", "true")
        .with(organizations.asOwner(acme)));
    assertThat(fragment).doesNotContain("<html").doesNotContain("<main");
    assertThat(fragment).contains("id=\"check-result\"").contains("<strong>cat@example.net</strong> is suppressed")
        .contains("suppressed in this organization (complaint)")
        .contains("suppressed for the whole installation (domain example.net)");

    String clean = html(get(page + "/check").param("address", "ann@example.org").header("HX-Request", "true")
        .with(organizations.asOwner(acme)));
    assertThat(clean).contains("<strong>ann@example.org</strong> is not suppressed.");
    String bad = html(get(page + "/check").param("address", "nope").header("HX-Request", "true").with(organizations.asOwner(acme)));
    assertThat(bad).contains("Not a valid email address");

    String full = html(get(page + "/check").param("address", "cat@example.net").with(organizations.asOwner(acme)));
    assertThat(full).contains("<html").contains("suppressed in this organization (complaint)").contains("value=\"cat@example.net\"");
  }

  @Test
  void remove_lifts_an_entry_and_another_organizations_entry_is_not_found() throws Exception {
    long ann = add(acme.id(), "ann@example.com", null, "complaint", null);
    TestOrganizations.Created other = organizations.create("Suppression Panel Other " + counter, "suppressions:read");
    long theirs = add(other.id(), "them@example.com", null, "complaint", null);

    MvcResult removed = mvc.perform(post(page + "/" + ann + "/delete").with(organizations.asOwner(acme)).with(csrf())).andReturn();
    assertThat(removed.getResponse().getStatus()).isEqualTo(302);
    assertThat(removed.getFlashMap().get("notice")).isEqualTo("Suppression removed.");
    assertThat(screen.refusal(acme.id(), "ann@example.com")).isEmpty();

    assertThat(mvc.perform(post(page + "/" + theirs + "/delete").with(organizations.asOwner(acme)).with(csrf()))
        .andReturn().getResponse().getStatus()).isEqualTo(404);
    assertThat(screen.refusal(other.id(), "them@example.com")).isPresent();
  }

  @Test
  void the_export_is_csv_with_formulas_neutralized_and_erased_people_as_hashes() throws Exception {
    add(acme.id(), "-dash@example.com", null, "complaint", "=HYPERLINK(\"http://evil.example\",\"click\")");
    add(acme.id(), null, "example.org", "manual", "@SUM(1)\tand, a comma");
    add(acme.id(), "kept@example.com", null, "manual", "call +1 555 \"x\"");
    String keyed = tx.execute(s -> screen.rememberErased(acme.id(), "gone@example.com"));

    MockHttpServletResponse r = mvc.perform(get(page + "/export").with(organizations.asOwner(acme))).andReturn().getResponse();
    assertThat(r.getStatus()).isEqualTo(200);
    assertThat(r.getContentType()).startsWith("text/csv");
    assertThat(r.getHeader("Content-Disposition")).startsWith("attachment").contains(acme.slug() + "-suppressions-");
    String csv = new String(r.getContentAsByteArray(), StandardCharsets.UTF_8);
    List<String> lines = List.of(csv.substring(1).split("\r\n"));
    assertThat(csv).startsWith("\uFEFF");
    assertThat(lines.getFirst()).isEqualTo("address,address_sha256,domain,reason,note,source,created_at,expires_at");
    assertThat(lines.get(1)).startsWith("'-dash@example.com," + AddressDigest.hex("-dash@example.com") + ",,complaint,"
        + "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",test,");
    assertThat(lines.get(2)).startsWith(",,example.org,manual,\"'@SUM(1)\tand, a comma\",test,");
    assertThat(lines.get(3)).as("only a cell's first character counts").contains(",\"call +1 555 \"\"x\"\"\",");
    assertThat(lines.get(4)).startsWith("(erased)," + keyed + ",,erased,,erasure,");
    assertThat(csv).doesNotContain("gone@example.com").doesNotContain(AddressDigest.hex("gone@example.com"));
  }

  @Test
  void a_viewer_sees_the_list_and_can_check_but_not_add_or_remove() throws Exception {
    long ann = add(acme.id(), "ann@example.com", null, "complaint", null);
    var viewer = organizations.asNewMember(acme, "viewer@panel" + counter + ".example.com", Role.viewer);
    String html = html(get(page).with(viewer));
    assertThat(html).contains("ann@example.com").contains("Check an address");
    assertThat(html).doesNotContain("Add to the list").doesNotContain("/delete\"").doesNotContain("name=\"entries\"");
    assertThat(html(get(page + "/check").param("address", "ann@example.com").header("HX-Request", "true").with(viewer)))
        .contains("suppressed in this organization (complaint)");
    assertThat(mvc.perform(post(page).with(viewer).with(csrf()).param("entries", "bob@example.com")).andReturn().getResponse().getStatus())
        .isEqualTo(403);
    assertThat(mvc.perform(post(page + "/" + ann + "/delete").with(viewer).with(csrf())).andReturn().getResponse().getStatus())
        .isEqualTo(403);
  }

  @Test
  void the_operators_list_applies_to_every_organization() throws Exception {
    String operatorEmail = "operator" + counter + "@herald.example.com";
    var operator = organizations.asNewOperator(operatorEmail);
    TestOrganizations.Created other = organizations.create("Suppression Panel Else " + counter, "suppressions:read");
    assertThat(html(get("/operator").with(operator))).contains("href=\"/operator/suppressions\"");
    assertThat(html(get("/operator/suppressions").with(operator))).contains("for the whole installation")
        .doesNotContain("Download CSV");

    MvcResult added = mvc.perform(post("/operator/suppressions").with(operator).with(csrf())
        .param("entries", "trap@spam.example\nspam.example\nbad@").param("reason", "manual").param("note", "spam trap")).andReturn();
    assertThat(added.getResponse().getRedirectedUrl()).isEqualTo("/operator/suppressions");
    assertThat(added.getFlashMap().get("notice")).isEqualTo("2 added, 0 already suppressed.");
    assertThat((List<?>) added.getFlashMap().get("lineErrors")).hasSize(1);
    assertThat(jdbc.sql("select count(*) from suppression where organization_id is null and source = ?").param("panel:" + operatorEmail)
        .query(Long.class).single()).isEqualTo(2);
    assertThat(jdbc.sql("select count(*) from audit_event where organization_id is null and action = 'suppression.added' and actor = ?")
        .param(operatorEmail).query(Long.class).single()).isEqualTo(2);

    assertThat(screen.refusal(acme.id(), "trap@spam.example")).contains("suppressed for the whole installation (manual)");
    assertThat(screen.refusal(other.id(), "anyone@spam.example")).contains("suppressed for the whole installation (domain spam.example)");
    assertThat(html(get("/operator/suppressions").with(operator))).contains("trap@spam.example").contains("spam trap");
    assertThat(html(get("/operator/suppressions/check").param("address", "x@spam.example").header("HX-Request", "true").with(operator)))
        .contains("suppressed for the whole installation (domain spam.example)");

    // The organization's own page shows the operator's entry through the check, and may not remove it.
    long global = jdbc.sql("select id from suppression where domain = 'spam.example'").query(Long.class).single();
    assertThat(html(get(page + "/check").param("address", "x@spam.example").header("HX-Request", "true").with(organizations.asOwner(acme))))
        .contains("whole installation");
    assertThat(mvc.perform(post(page + "/" + global + "/delete").with(organizations.asOwner(acme)).with(csrf()))
        .andReturn().getResponse().getStatus()).isEqualTo(404);
    assertThat(mvc.perform(get("/operator/suppressions").with(organizations.asOwner(acme))).andReturn().getResponse().getStatus())
        .isEqualTo(403);

    // The operator removes only installation-wide entries.
    long orgEntry = add(acme.id(), "ann@example.com", null, "complaint", null);
    assertThat(mvc.perform(post("/operator/suppressions/" + orgEntry + "/delete").with(operator).with(csrf()))
        .andReturn().getResponse().getStatus()).isEqualTo(404);
    assertThat(mvc.perform(post("/operator/suppressions/" + global + "/delete").with(operator).with(csrf()))
        .andReturn().getResponse().getStatus()).isEqualTo(302);
    assertThat(screen.refusal(other.id(), "anyone@spam.example")).isEmpty();
  }
}
