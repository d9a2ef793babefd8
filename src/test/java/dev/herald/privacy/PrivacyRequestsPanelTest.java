package dev.herald.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.tenancy.Role;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/** The panel's request pages: the form, the workflow's buttons, the flags on the list and on the organization's overview. */
@SpringBootTest
@AutoConfigureMockMvc
@Import({TestOrganizations.class, TestClock.class, PrivacyTestHolder.class})
class PrivacyRequestsPanelTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired DataSubjectRequests requests;
  @Autowired MutableClock clock;

  TestOrganizations.Created acme;
  RequestPostProcessor owner;
  String base;
  static int counter;

  @BeforeEach
  void organization() {
    acme = organizations.create("Privacy Panel " + (++counter), "privacy");
    owner = organizations.asOwner(acme);
    base = "/o/" + acme.slug() + "/privacy/requests";
  }

  String html(MockHttpServletRequestBuilder request) throws Exception {
    MockHttpServletResponse r = mvc.perform(request.with(owner)).andReturn().getResponse();
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(200);
    return r.getContentAsString();
  }

  MvcResult submit(String path, String... params) throws Exception {
    MockHttpServletRequestBuilder r = post(path).with(owner).with(csrf());
    for (int i = 0; i < params.length; i += 2) r.param(params[i], params[i + 1]);
    MvcResult result = mvc.perform(r).andReturn();
    assertThat(result.getResponse().getStatus()).as(result.getResponse().getContentAsString()).isEqualTo(302);
    return result;
  }

  @Test
  void a_member_records_a_request_extends_it_once_and_completes_it_from_its_page() throws Exception {
    MvcResult bad = submit(base, "type", "", "address", "nobody");
    assertThat(bad.getResponse().getRedirectedUrl()).isEqualTo(base + "#new-heading");
    assertThat(bad.getFlashMap().get("errors").toString()).contains("type");

    MvcResult created = submit(base, "type", "access", "address", "Ann@Example.com", "note", "by letter");
    String page = created.getResponse().getRedirectedUrl();
    assertThat(page).matches(base.replace(".", "\\.") + "/\\d+");
    String detail = html(get(page));
    assertThat(detail).contains("Access request").contains("Ann@example.com").contains("by letter").contains("Extend the due date");

    assertThat(submit(page + "/extend", "reason", "").getFlashMap().get("errors").toString()).contains("reason");
    submit(page + "/extend", "reason", "a complex request");
    String extended = html(get(page));
    assertThat(extended).contains("a complex request").doesNotContain("Extend the due date");

    submit(page + "/complete", "note", "handed over");
    String completed = html(get(page));
    assertThat(completed).contains("completed").contains("Download personal-data-");
    MockHttpServletResponse zip = mvc.perform(get(page + "/archive").with(owner)).andReturn().getResponse();
    assertThat(zip.getStatus()).isEqualTo(200);
    assertThat(zip.getContentType()).isEqualTo("application/zip");

    String list = html(get(base));
    assertThat(list).contains("Ann@example.com").contains("Record a new request");
  }

  @Test
  void an_erasure_needs_the_ticked_box() throws Exception {
    long id = requests.open(acme.id(), RequestType.ERASURE, "gone@example.com", RequestChannel.PANEL, "test", null).id();
    MvcResult refused = submit(base + "/" + id + "/complete");
    assertThat(refused.getFlashMap().get("errors").toString()).contains("confirm");
    assertThat(requests.find(acme.id(), id).orElseThrow().status()).isEqualTo(RequestStatus.RECEIVED);
    submit(base + "/" + id + "/complete", "confirm", "true");
    assertThat(requests.find(acme.id(), id).orElseThrow().address()).isEqualTo("(erased)");
  }

  @Test
  void overdue_and_due_soon_requests_are_flagged_on_the_list_and_the_overview() throws Exception {
    String overview = "/o/" + acme.slug();
    assertThat(html(get(overview))).doesNotContain("privacy-heading");
    requests.open(acme.id(), RequestType.ACCESS, "late@example.com", RequestChannel.PANEL, "test", null);
    clock.advance(Duration.ofDays(10));
    requests.open(acme.id(), RequestType.ERASURE, "soon@example.com", RequestChannel.PANEL, "test", null);
    clock.advance(Duration.ofDays(22));
    String page = html(get(overview));
    assertThat(page).contains("privacy-heading").contains("1 request is overdue").doesNotContain("due within a week");
    clock.advance(Duration.ofDays(3));
    page = html(get(overview));
    assertThat(page).contains("1 request is overdue").contains("1 request is due within a week");
    String list = html(get(base).param("flag", "overdue"));
    assertThat(list).contains("late@example.com").doesNotContain("soon@example.com").contains("badge-danger");

    // A viewer may not read privacy requests: no section for them.
    RequestPostProcessor viewer = organizations.asNewMember(acme, "viewer" + counter + "@privacy-panel.test", Role.viewer);
    String theirs = mvc.perform(get(overview).with(viewer)).andReturn().getResponse().getContentAsString();
    assertThat(theirs).doesNotContain("privacy-heading");
  }
}
