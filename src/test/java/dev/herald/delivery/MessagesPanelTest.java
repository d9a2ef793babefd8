package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.Role;
import dev.herald.tenancy.TestOrganizations;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/**
 * The sent-messages pages: the list's filters and keyset pages, a message with its recipients, the source only for
 * members who may read content (escaped on the page, whole in the download), the test form through the send path,
 * and the overview's last-day figures.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class MessagesPanelTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired OutboundMessages outbound;
  @Autowired JdbcClient jdbc;

  TestOrganizations.Created acme;
  RequestPostProcessor owner;
  String domain;
  long domainId;
  static int counter;

  @BeforeEach
  void organization() {
    counter++;
    acme = organizations.create("Message Log " + counter, "send");
    owner = organizations.asOwner(acme);
    domain = "log-" + counter + ".example";
    domainId = new TestSendingDomains(sendingDomains, jdbc).verified(acme.id(), domain);
  }

  long send(String from, List<String> to, String subject, List<String> tags) {
    return outbound.accept(acme.id(), new SendRequest(from, null, to, null, null, null, subject, "<p>Hi <b>there</b></p>", "Hi there", null,
        null, tags, Map.of("order", 1234, "note", "first")), null).id();
  }

  /** Moves a recipient as one attempt of the worker would, and writes that attempt (the reply "code enhanced text"). */
  void recipientState(long message, String address, RecipientState state, String reply) {
    jdbc.sql("""
        update outbound_recipient set state = ?, last_reply = ?, attempts = attempts + 1, last_attempt_at = now(),
          next_attempt_at = now() + interval '5 minutes', finished_at = case when ? then now() end
        where message_id = ? and address_key = ?""")
        .params(state.text(), reply, !state.waiting(), message, address).update();
    String[] parts = reply.split(" ", 3);
    jdbc.sql("""
        insert into outbound_attempt (recipient_id, message_id, organization_id, attempted_at, server_host, server_ip, source_ip,
          reply_code, enhanced_code, reply_text, outcome)
        select id, message_id, organization_id, now(), 'mx.one.example', '192.0.2.1', '127.0.0.2', ?, ?, ?, ?
        from outbound_recipient where message_id = ? and address_key = ?""")
        .params(Integer.parseInt(parts[0]), parts[1], parts[2], state.text(), message, address).update();
  }

  String page(String path, RequestPostProcessor who) throws Exception {
    MockHttpServletResponse r = mvc.perform(get(path).with(who)).andReturn().getResponse();
    assertThat(r.getStatus()).as(path).isEqualTo(200);
    return r.getContentAsString();
  }

  String list(String query) throws Exception {
    return page("/o/" + acme.slug() + "/messages" + query, owner);
  }

  /** The message ids of a list page, top to bottom. */
  static List<Long> ids(String html) {
    List<Long> ids = new ArrayList<>();
    Matcher m = Pattern.compile("id=\"message-(\\d+)\"").matcher(html);
    while (m.find()) ids.add(Long.parseLong(m.group(1)));
    return ids;
  }

  @Test
  void the_list_is_newest_first_and_each_filter_narrows_it() throws Exception {
    long otherDomain = new TestSendingDomains(sendingDomains, jdbc).verified(acme.id(), "other-" + domain);
    long old = send("news@" + domain, List.of("ann@one.example", "cat@two.example"), "Old news", List.of("digest"));
    long bounced = send("news@" + domain, List.of("ann@one.example"), "Welcome", List.of("welcome"));
    long other = send("shop@other-" + domain, List.of("bob@two.example"), "Receipt", List.of("receipt"));
    jdbc.sql("update outbound_message set created_at = now() - interval '3 days' where id = ?").param(old).update();
    recipientState(bounced, "ann@one.example", RecipientState.BOUNCED, "550 5.1.1 No such user");
    recipientState(other, "bob@two.example", RecipientState.DELIVERED, "250 2.0.0 Ok");

    String all = list("");
    assertThat(ids(all)).containsExactly(other, bounced, old);
    assertThat(all).contains("ann@one.example", "and 1 other", "Bounced", "Delivered", "Queued", "receipt")
        .doesNotContain(">bounced<", ">delivered<");

    assertThat(ids(list("?state=bounced"))).containsExactly(bounced);
    assertThat(ids(list("?state=queued"))).containsExactly(old);
    assertThat(ids(list("?recipient=ANN@One.example"))).containsExactly(bounced, old);
    assertThat(ids(list("?tag=receipt"))).containsExactly(other);
    assertThat(ids(list("?domain=" + otherDomain))).containsExactly(other);
    String threeDaysAgo = LocalDate.now(ZoneOffset.UTC).minusDays(3).toString();
    assertThat(ids(list("?until=" + threeDaysAgo))).containsExactly(old);
    assertThat(ids(list("?since=" + LocalDate.now(ZoneOffset.UTC).minusDays(1)))).containsExactly(other, bounced);
    assertThat(ids(list("?state=bounced&tag=receipt"))).isEmpty();
    assertThat(list("?state=bounced&tag=receipt")).contains("No messages match.");

    // What cannot be read is said beside its field and left out of the filter.
    String bad = list("?recipient=ann@&since=yesterday");
    assertThat(bad).contains("Enter a whole email address", "Give the day as YYYY-MM-DD.");
    assertThat(ids(bad)).containsExactly(other, bounced, old);
  }

  /** Filters the database cannot hold (a day past its range, a NUL) are said beside their field, never a 500. */
  @Test
  void a_filter_the_database_cannot_hold_is_named_beside_its_field() throws Exception {
    long message = send("news@" + domain, List.of("ann@one.example"), "Hello", List.of("digest"));
    for (String[] filter : new String[][] {{"until", "+999999999-12-31"}, {"since", "-5000-01-01"}, {"since", "+300000-01-01"},
        {"tag", "di\u0000gest"}}) {
      MockHttpServletResponse r = mvc.perform(get("/o/" + acme.slug() + "/messages").param(filter[0], filter[1]).with(owner))
          .andReturn().getResponse();
      assertThat(r.getStatus()).as(filter[0] + "=" + filter[1]).isEqualTo(200);
      String html = r.getContentAsString();
      assertThat(html).as(filter[0]).contains("id=\"filter-" + filter[0] + "-error\"");
      assertThat(ids(html)).containsExactly(message);
    }
  }

  @Test
  void pages_go_back_by_keyset_and_forward_again() throws Exception {
    List<SendRequest> batch = new ArrayList<>();
    for (int i = 0; i < MessageLog.PAGE_SIZE + 5; i++) {
      batch.add(new SendRequest("news@" + domain, null, List.of("p" + i + "@one.example"), null, null, null, "Page " + i, null, "Hi", null,
          null, null, null));
    }
    outbound.acceptBatch(acme.id(), batch, null); // one transaction: every created_at is the same, the id breaks the tie

    String first = list("");
    List<Long> firstIds = ids(first);
    assertThat(firstIds).hasSize(MessageLog.PAGE_SIZE).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(first).contains("Older →").doesNotContain("← Newer");

    String second = list("?before=" + firstIds.getLast());
    List<Long> secondIds = ids(second);
    assertThat(secondIds).hasSize(5).allMatch(id -> id < firstIds.getLast());
    assertThat(second).contains("← Newer", "Newest").doesNotContain("Older →");

    String back = list("?after=" + secondIds.getFirst());
    assertThat(ids(back)).containsExactlyElementsOf(firstIds);
    assertThat(back).contains("Older →").doesNotContain("← Newer");
  }

  @Test
  void a_message_shows_its_headers_and_each_recipient_in_panel_words() throws Exception {
    long id = send("news@" + domain, List.of("ann@one.example", "bob@two.example"), "Hello <there>", List.of("welcome"));
    recipientState(id, "bob@two.example", RecipientState.DEFERRED, "451 4.7.1 Greylisted");
    recipientState(id, "ann@one.example", RecipientState.DEFERRED, "421 4.7.0 Try later");
    recipientState(id, "ann@one.example", RecipientState.DELIVERED, "250 2.0.0 Ok: queued as 4AB");
    String messageId = jdbc.sql("select header_message_id from outbound_message where id = ?").param(id).query(String.class).single();

    String html = page("/o/" + acme.slug() + "/messages/" + id, owner);
    assertThat(html).contains("Hello &lt;there&gt;", "news@" + domain, messageId.replace("<", "&lt;").replace(">", "&gt;"), domain,
        "welcome", "order", "1234", "first", "2 recipients", "1 delivered", "1 deferred", "250 2.0.0 Ok: queued as 4AB",
        "451 4.7.1 Greylisted", "Next attempt", "View source", "Download (", "Attempts (2)", "Attempts (1)",
        "421 4.7.0 Try later", "mx.one.example [192.0.2.1] from 127.0.0.2");
    // The timeline of ann: the deferral, then the delivery, oldest first.
    int deferral = html.indexOf("attempt-reply\">421 4.7.0 Try later"), delivery = html.indexOf("attempt-reply\">250 2.0.0 Ok: queued as 4AB");
    assertThat(deferral).isPositive().isLessThan(delivery);
  }

  @Test
  void the_source_is_escaped_on_the_page_whole_in_the_download_and_hidden_from_viewers() throws Exception {
    long id = outbound.accept(acme.id(), new SendRequest("news@" + domain, null, List.of("ann@one.example"), null, null, null, "Source",
        "<script>alert(1)</script>", null, null, null, null, null), null).id();
    byte[] stored = jdbc.sql("select content from outbound_message where id = ?").param(id).query(byte[].class).single();
    String base = "/o/" + acme.slug() + "/messages/" + id;

    String source = page(base + "/source", owner);
    assertThat(source).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>alert(1)");
    MockHttpServletResponse download = mvc.perform(get(base + "/source/download").with(owner)).andReturn().getResponse();
    assertThat(download.getStatus()).isEqualTo(200);
    assertThat(download.getContentType()).isEqualTo("message/rfc822");
    assertThat(download.getHeader("Content-Disposition")).contains("attachment", ".eml");
    assertThat(download.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(download.getContentAsByteArray()).isEqualTo(stored);

    RequestPostProcessor viewer = organizations.asNewMember(acme, "viewer-" + counter + "@log.test", Role.viewer);
    String asViewer = page(base, viewer);
    assertThat(asViewer).contains("ann@one.example").doesNotContain("View source", "/source");
    assertThat(mvc.perform(get(base + "/source").with(viewer)).andReturn().getResponse().getStatus()).isEqualTo(403);
    assertThat(mvc.perform(get(base + "/source/download").with(viewer)).andReturn().getResponse().getStatus()).isEqualTo(403);
    // A viewer follows delivery but cannot send.
    assertThat(page("/o/" + acme.slug() + "/messages", viewer)).doesNotContain("Send a test message");
    assertThat(mvc.perform(get("/o/" + acme.slug() + "/messages/test").with(viewer)).andReturn().getResponse().getStatus()).isEqualTo(403);
  }

  @Test
  void the_test_form_sends_through_the_send_path_and_names_the_refused_field() throws Exception {
    String form = "/o/" + acme.slug() + "/messages/test";
    assertThat(page(form, owner)).contains("test@" + domain);

    MvcResult refused = mvc.perform(post(form).with(owner).with(csrf()).param("from", "news@unverified.example")
        .param("to", "ann@one.example").param("subject", "Hi").param("text", "Hello")).andReturn();
    assertThat(refused.getResponse().getRedirectedUrl()).isEqualTo(form);
    assertThat(((Map<?, ?>) refused.getFlashMap().get("errors")).keySet().toString()).isEqualTo("[from]");

    MvcResult badTo = mvc.perform(post(form).with(owner).with(csrf()).param("from", "news@" + domain)
        .param("to", "ann@one.example, bob@").param("text", "Hello")).andReturn();
    assertThat(((Map<?, ?>) badTo.getFlashMap().get("errors")).get("to").toString()).startsWith("bob@: Not a valid address");

    long before = jdbc.sql("select count(*) from outbound_message where organization_id = ?").param(acme.id()).query(Long.class).single();
    assertThat(before).isZero();
    MvcResult sent = mvc.perform(post(form).with(owner).with(csrf()).param("from", "news@" + domain)
        .param("to", "ann@one.example").param("subject", "Trying").param("text", "Hello").param("html", "<p>Hello</p>")).andReturn();
    long id = jdbc.sql("select id from outbound_message where organization_id = ?").param(acme.id()).query(Long.class).single();
    assertThat(sent.getResponse().getRedirectedUrl()).isEqualTo("/o/" + acme.slug() + "/messages/" + id);
    assertThat(jdbc.sql("select subject from outbound_message where id = ? and tags = '{test}'").param(id).query(String.class).single())
        .isEqualTo("Trying");
    assertThat(jdbc.sql("select state from outbound_recipient where message_id = ?").param(id).query(String.class).single()).isEqualTo("queued");
  }

  @Test
  void a_rare_failure_state_is_found_through_its_index_not_by_walking_every_message() {
    // 20,000 delivered messages and one expired: the walk would probe every message; V43's index finds the one.
    jdbc.sql("""
        insert into outbound_message (organization_id, sending_domain_id, source, from_address, subject, header_message_id, header_date,
          content, created_at)
        select ?, ?, 'api', 'news@x.example', 'Plan ' || g, '<plan' || g || '@x.example>', now(), '\\x41'::bytea, now() - g * interval '1 second'
        from generate_series(1, 20000) g""").params(acme.id(), domainId).update();
    jdbc.sql("""
        insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, state)
        select id, organization_id, 'to', 'p' || id || '@x.example', 'p' || id || '@x.example', 'x.example',
          case when id % 20000 = 7 then 'expired' else 'delivered' end
        from outbound_message where organization_id = ?""").param(acme.id()).update();
    jdbc.sql("analyze outbound_message").update();
    jdbc.sql("analyze outbound_recipient").update();

    MessageLog.PageQuery query = MessageLog.pageQuery(acme.id(), new MessageLog.Filter(RecipientState.EXPIRED, null, null, null, null, null),
        null, MessageLog.PAGE_SIZE);
    String plan = String.join("\n", jdbc.sql("explain " + query.sql()).params(query.params()).query(String.class).list());
    assertThat(plan).contains("outbound_recipient_org_failed").doesNotContain("Seq Scan");
  }

  @Test
  void the_overview_counts_the_last_day() throws Exception {
    long a = send("news@" + domain, List.of("ann@one.example", "bob@two.example", "cat@three.example"), "A", null);
    long b = send("news@" + domain, List.of("dan@one.example"), "B", null);
    long old = send("news@" + domain, List.of("eve@one.example"), "Old", null);
    recipientState(a, "ann@one.example", RecipientState.DELIVERED, "250 2.0.0 Ok");
    recipientState(a, "bob@two.example", RecipientState.DEFERRED, "451 4.7.1 Later");
    recipientState(a, "bob@two.example", RecipientState.DEFERRED, "451 4.7.1 Later"); // deferred twice: one recipient
    recipientState(a, "cat@three.example", RecipientState.BOUNCED, "550 5.1.1 No");
    recipientState(b, "dan@one.example", RecipientState.DELIVERED, "250 2.0.0 Ok");
    recipientState(old, "eve@one.example", RecipientState.DELIVERED, "250 2.0.0 Ok");
    jdbc.sql("update outbound_message set created_at = now() - interval '2 days' where id = ?").param(old).update();
    jdbc.sql("update outbound_attempt set attempted_at = now() - interval '25 hours' where message_id = ?").param(old).update();

    String html = page("/o/" + acme.slug(), owner);
    assertThat(html).contains("Sending in the last 24 hours");
    assertThat(figure(html, "sent")).isEqualTo("2");
    assertThat(figure(html, "delivered")).isEqualTo("2");
    assertThat(figure(html, "deferred")).isEqualTo("1");
    assertThat(figure(html, "bounced")).isEqualTo("1");
  }

  static String figure(String html, String name) {
    Matcher m = Pattern.compile("id=\"figure-" + name + "\">\\s*<a class=\"figure\"[^>]*>([^<]*)</a>").matcher(html);
    assertThat(m.find()).as("figure " + name).isTrue();
    return m.group(1);
  }
}
