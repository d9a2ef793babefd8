package dev.herald.tenancy;

import static dev.herald.tenancy.Fixtures.signedIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import dev.herald.platform.PanelController;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.autoconfigure.error.BasicErrorController;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockServletContext;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.method.ControllerAdviceBean;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.thymeleaf.ITemplateEngine;
import org.thymeleaf.context.WebContext;
import org.thymeleaf.web.servlet.JakartaServletWebApplication;

/** The layout's model (who, which organizations, which one) and the organization navigation built from it. */
@SpringBootTest
@AutoConfigureMockMvc
@Import(Fixtures.class)
class PanelModelTest {
  @Autowired MockMvc mvc;
  @Autowired Fixtures fixtures;
  @Autowired ITemplateEngine templates;
  @Autowired ApplicationContext context;
  @Autowired @Qualifier("requestMappingHandlerMapping") RequestMappingHandlerMapping handlerMapping;
  /** The real advice, watched: Mockito records each call of its model-attribute methods. */
  @MockitoSpyBean PanelModel panelModel;

  @Test
  void an_api_request_made_with_a_session_does_not_load_the_pages_model() throws Exception {
    HeraldUser owner = fixtures.person("owner@api-model.test");
    Organizations.Organization acme = fixtures.organization("Api Model Co", owner);

    // The control: a page does load it, so the spy sees the advice at work.
    clearInvocations(panelModel);
    assertThat(mvc.perform(get("/o/" + acme.slug() + "/members").with(signedIn(owner))).andReturn().getResponse().getStatus())
        .isEqualTo(200);
    verify(panelModel).memberships(any());

    clearInvocations(panelModel);
    MockHttpServletResponse api = mvc.perform(get("/api/v1/orgs/" + acme.slug() + "/members").with(signedIn(owner)))
        .andReturn().getResponse();
    assertThat(api.getStatus()).as(api.getContentAsString()).isEqualTo(200);
    assertThat(api.getContentAsString()).contains("owner@api-model.test");
    verify(panelModel, never()).memberships(any());
    verify(panelModel, never()).me(any());
  }

  @Test
  void every_page_controller_and_the_error_page_get_the_pages_model_and_no_rest_controller_does() {
    ControllerAdviceBean advice = ControllerAdviceBean.findAnnotatedBeans(context).stream()
        .filter(a -> a.getBeanType() == PanelModel.class).findFirst().orElseThrow();
    Set<Class<?>> handlerTypes = new HashSet<>();
    handlerMapping.getHandlerMethods().values().forEach(h -> handlerTypes.add(h.getBeanType()));
    List<Class<?>> rest = handlerTypes.stream().filter(t -> AnnotatedElementUtils.hasAnnotation(t, ResponseBody.class)).toList();
    assertThat(rest).isNotEmpty().noneMatch(advice::isApplicableToBeanType);
    assertThat(advice.isApplicableToBeanType(BasicErrorController.class)).as("the error page is drawn in the panel's frame").isTrue();
    // A page controller left a plain @Controller would lose the header silently; only these never draw the panel's layout.
    assertThat(handlerTypes.stream().filter(t -> !rest.contains(t) && !advice.isApplicableToBeanType(t)).map(Class::getSimpleName))
        .isSubsetOf("ExportsController", "PublicPagesController", "UnsubscribeController", "WebVersionController", "TrackingController", "ForwardController", "PrivacyPageController",
            "SelfServiceController", "SwaggerWelcomeWebMvc");
  }

  @Test
  void the_organization_navigation_shows_each_permitted_section_in_order_and_marks_the_current_one() throws Exception {
    HeraldUser owner = fixtures.person("owner@nav.test");
    Organizations.Organization acme = fixtures.organization("Nav Co", owner);
    HeraldUser viewer = fixtures.member(acme, "viewer@nav.test", Role.viewer);
    String o = "/o/" + acme.slug();

    assertThat(nav(o + "/members", owner)).containsExactly(
        o + " Overview", o + "/lists Lists", o + "/subscribers Subscribers", o + "/fields Fields", o + "/segments Segments",
        o + "/imports Imports", o + "/suppressions Suppressions", o + "/feedback Bounces", o + "/templates Templates", o + "/media Media", o + "/domains Domains",
        o + "/campaigns Campaigns", o + "/tracking Tracking", o + "/messages Messages",
        o + "/sending Sending", o + "/members [page] Members", o + "/groups Groups", o + "/api-keys API keys", o + "/audit Audit log",
        o + "/privacy/requests Privacy requests", o + "/privacy/retention Data retention", o + "/staff-access Staff access",
        o + "/closure Export and close");
    // A viewer holds neither API_KEYS_READ nor AUDIT_READ.
    assertThat(nav(o, viewer)).containsExactly(
        o + " [page] Overview", o + "/lists Lists", o + "/subscribers Subscribers", o + "/fields Fields", o + "/segments Segments",
        o + "/imports Imports", o + "/suppressions Suppressions", o + "/feedback Bounces", o + "/templates Templates", o + "/media Media", o + "/domains Domains",
        o + "/campaigns Campaigns", o + "/tracking Tracking", o + "/messages Messages",
        o + "/sending Sending", o + "/members Members", o + "/groups Groups");
  }

  @Test
  void each_section_needs_its_own_permission() {
    // No built-in role lacks SUPPRESSIONS_READ, so render the header for a made-up set of permissions.
    OrganizationContext listsOnly = new OrganizationContext(1, "acme", "Acme", EnumSet.of(Permission.LISTS_READ));
    assertThat(links(header(listsOnly, "fields"))).containsExactly("/o/acme Overview", "/o/acme/lists Lists",
        "/o/acme/subscribers Subscribers", "/o/acme/fields [page] Fields", "/o/acme/segments Segments", "/o/acme/imports Imports");
    OrganizationContext suppressionsOnly = new OrganizationContext(1, "acme", "Acme", EnumSet.of(Permission.SUPPRESSIONS_READ));
    assertThat(links(header(suppressionsOnly, "suppressions"))).containsExactly("/o/acme Overview",
        "/o/acme/suppressions [page] Suppressions", "/o/acme/feedback Bounces");
    OrganizationContext domainsOnly = new OrganizationContext(1, "acme", "Acme", EnumSet.of(Permission.DOMAINS_READ));
    assertThat(links(header(domainsOnly, "domains"))).containsExactly("/o/acme Overview", "/o/acme/domains [page] Domains",
        "/o/acme/sending Sending");
  }

  private String header(OrganizationContext org, String section) {
    var exchange = JakartaServletWebApplication.buildApplication(new MockServletContext())
        .buildExchange(new MockHttpServletRequest(), new MockHttpServletResponse());
    var context = new WebContext(exchange, Locale.ROOT,
        Map.of("org", org, "section", section, "orgSections", PanelModel.ORG_SECTIONS));
    return templates.process("layout", Set.of("header"), context);
  }

  /** The organization navigation of the page at path, as that user sees it. */
  private List<String> nav(String path, HeraldUser user) throws Exception {
    MockHttpServletResponse response = mvc.perform(get(path).with(signedIn(user))).andReturn().getResponse();
    assertThat(response.getStatus()).as(path).isEqualTo(200);
    return links(response.getContentAsString());
  }

  /** The links of the organization navigation as "href [aria-current] text". */
  private static List<String> links(String html) {
    Matcher nav = Pattern.compile("<nav class=\"org-nav\"[^>]*>(.*?)</nav>", Pattern.DOTALL).matcher(html);
    assertThat(nav.find()).as("organization navigation").isTrue();
    List<String> links = new ArrayList<>();
    Matcher a = Pattern.compile("<a\\s([^>]*)>([^<]*)</a>").matcher(nav.group(1));
    while (a.find()) {
      Matcher href = Pattern.compile("href=\"([^\"]*)\"").matcher(a.group(1));
      Matcher current = Pattern.compile("aria-current=\"([^\"]*)\"").matcher(a.group(1));
      links.add((href.find() ? href.group(1) : "?") + (current.find() ? " [" + current.group(1) + "]" : "") + " " + a.group(2).strip());
    }
    return links;
  }
}
