package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockServletContext;
import org.thymeleaf.context.WebContext;
import org.thymeleaf.spring6.SpringTemplateEngine;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;
import org.thymeleaf.templateresolver.StringTemplateResolver;
import org.thymeleaf.web.servlet.JakartaServletWebApplication;

/**
 * The panel's building blocks (templates/fragments/panel.html), drawn the way a page calls them and compared
 * as markup: a page that looks right only by accident would pass its own test and still break here.
 */
class PanelFragmentsTest {
  /** The shape of the listings' page of results (Subscribers.Page, Suppressions' page...). */
  public record Page(int page, int size, long total) {}

  private final SpringTemplateEngine engine = engine();

  private static SpringTemplateEngine engine() {
    ClassLoaderTemplateResolver files = new ClassLoaderTemplateResolver();
    files.setPrefix("templates/");
    files.setSuffix(".html");
    files.setCheckExistence(true);
    files.setOrder(1);
    StringTemplateResolver inline = new StringTemplateResolver();
    inline.setOrder(2);
    SpringTemplateEngine engine = new SpringTemplateEngine();
    engine.setTemplateResolvers(Set.of(files, inline));
    return engine;
  }

  /** Renders markup (a page's call of a fragment) with these model variables, white space folded. */
  private String render(String markup, Map<String, Object> model) {
    var exchange = JakartaServletWebApplication.buildApplication(new MockServletContext())
        .buildExchange(new MockHttpServletRequest(), new MockHttpServletResponse());
    return engine.process(markup, new WebContext(exchange, Locale.ROOT, model)).replaceAll("\\s+", " ").strip();
  }

  private String pager(int page, long total, String baseUrl) {
    return render("<nav th:replace=\"~{fragments/panel :: pager(${page}, ${baseUrl}, 'entry', 'entries')}\"></nav>",
        Map.of("page", new Page(page, 10, total), "baseUrl", baseUrl));
  }

  @Test
  void the_pager_links_only_to_pages_that_exist_and_keeps_the_filters() {
    assertThat(pager(0, 25, "/o/acme/suppressions?q=ann&reason")).isEqualTo(
        "<nav class=\"pager\" aria-label=\"Pages\"> <span>Page 1 of 3 · 25 entries</span>"
            + " <a rel=\"next\" href=\"/o/acme/suppressions?q=ann&amp;reason&amp;page=1\">Next →</a> </nav>");
    assertThat(pager(1, 25, "/o/acme/suppressions?q=ann&reason")).isEqualTo(
        "<nav class=\"pager\" aria-label=\"Pages\">"
            + " <a rel=\"prev\" href=\"/o/acme/suppressions?q=ann&amp;reason&amp;page=0\">← Previous</a>"
            + " <span>Page 2 of 3 · 25 entries</span>"
            + " <a rel=\"next\" href=\"/o/acme/suppressions?q=ann&amp;reason&amp;page=2\">Next →</a> </nav>");
    assertThat(pager(2, 25, "/o/acme/suppressions?q=ann&reason")).isEqualTo(
        "<nav class=\"pager\" aria-label=\"Pages\">"
            + " <a rel=\"prev\" href=\"/o/acme/suppressions?q=ann&amp;reason&amp;page=1\">← Previous</a>"
            + " <span>Page 3 of 3 · 25 entries</span> </nav>");
  }

  @Test
  void the_pager_counts_in_the_singular_starts_the_query_when_there_is_none_and_is_absent_without_results() {
    assertThat(pager(0, 1, "/operator/organizations"))
        .isEqualTo("<nav class=\"pager\" aria-label=\"Pages\"> <span>Page 1 of 1 · 1 entry</span> </nav>");
    assertThat(pager(0, 11, "/operator/organizations")).contains("href=\"/operator/organizations?page=1\"");
    assertThat(pager(0, 10, "/operator/organizations")).as("exactly one full page").doesNotContain("rel=\"next\"");
    assertThat(pager(0, 0, "/operator/organizations")).isEmpty();
  }

  @Test
  void a_page_past_the_last_links_to_the_last_instead_of_showing_page_6_of_2() {
    assertThat(pager(5, 15, "/o/acme/subscribers?q=ann")).isEqualTo(
        "<nav class=\"pager\" aria-label=\"Pages\"> <p class=\"empty\">There is no page 6; the last is"
            + " <a rel=\"last\" href=\"/o/acme/subscribers?q=ann&amp;page=1\">page 2</a>.</p> </nav>");
  }

  @Test
  void a_field_error_shows_only_for_its_own_field() {
    String call = "<p th:replace=\"~{fragments/panel :: fieldError('email', 'add-email-error')}\"></p>";
    Map<String, Object> model = new HashMap<>();
    model.put("errors", Map.of("email", "Not a valid email address.", "name", "Too long."));
    assertThat(render(call, model)).isEqualTo("<p class=\"field-error\" id=\"add-email-error\">Not a valid email address.</p>");
    assertThat(render("<p th:replace=\"~{fragments/panel :: fieldError('email', null)}\"></p>", model))
        .as("without an id").isEqualTo("<p class=\"field-error\">Not a valid email address.</p>");

    model.put("errors", Map.of("name", "Too long."));
    assertThat(render(call, model)).as("another field's error").isEmpty();
    model.remove("errors");
    assertThat(render(call, model)).as("no errors at all").isEmpty();
  }

  @Test
  void the_filter_form_draws_the_pages_fields_between_its_shell_and_its_buttons() {
    String page = """
        <main><form th:replace="~{fragments/panel :: filterForm('Filter the audit log', ${url}, 'Filter', 'Clear', ~{::filters})}">
          <th:block th:ref="filters"><input name="action" th:value="${action}"></th:block>
        </form></main>""";
    // "action" is also a model variable of the audit log: the fragment's parameters must not hide it.
    assertThat(render(page, Map.of("url", "/o/acme/audit", "action", "member.invited"))).isEqualTo(
        "<main><form class=\"card filter-form\" role=\"search\" aria-label=\"Filter the audit log\" method=\"get\""
            + " action=\"/o/acme/audit\"> <input name=\"action\" value=\"member.invited\"> <div class=\"actions\">"
            + " <button type=\"submit\" class=\"button button-primary\">Filter</button> <a href=\"/o/acme/audit\">Clear</a>"
            + " </div> </form></main>");
  }

  @Test
  void the_table_shell_is_a_focusable_region_named_by_its_label_or_its_heading() {
    String labelled = """
        <section><div th:replace="~{fragments/panel :: scrollTable('Subscribers', null, ~{::people})}">
          <table th:ref="people"><tr><td>Ada</td></tr></table></div></section>""";
    assertThat(render(labelled, Map.of())).isEqualTo(
        "<section><div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Subscribers\">"
            + " <table><tr><td>Ada</td></tr></table> </div></section>");
    String headed = """
        <section><div th:replace="~{fragments/panel :: scrollTable(null, 'keys-heading', ~{::keys})}">
          <table th:ref="keys"><tr><td>k</td></tr></table></div></section>""";
    assertThat(render(headed, Map.of())).isEqualTo(
        "<section><div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"keys-heading\">"
            + " <table><tr><td>k</td></tr></table> </div></section>");
  }

  @Test
  void the_delete_button_posts_to_its_action_and_names_what_it_deletes() {
    assertThat(render("<form th:replace=\"~{fragments/panel :: deleteButton(${url}, |Revoke key ${name}|, 'Revoke')}\"></form>",
        Map.of("url", "/o/acme/api-keys/7/revoke", "name", "CI"))).isEqualTo(
        "<form class=\"inline\" action=\"/o/acme/api-keys/7/revoke\" method=\"post\">"
            + " <button type=\"submit\" class=\"button button-danger button-small\" aria-label=\"Revoke key CI\">Revoke</button> </form>");
  }
}
