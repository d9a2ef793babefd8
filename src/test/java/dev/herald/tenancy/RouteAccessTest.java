package dev.herald.tenancy;

import static dev.herald.tenancy.Fixtures.signedIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;

import dev.herald.tenancy.AccessRules.Member;
import dev.herald.tenancy.AccessRules.Needs;
import dev.herald.tenancy.AccessRules.Operator;
import dev.herald.tenancy.AccessRules.Public;
import dev.herald.tenancy.AccessRules.Requirement;
import dev.herald.tenancy.AccessRules.Rule;
import dev.herald.tenancy.AccessRules.SignedIn;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpMethod;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;

/**
 * DESIGN.md security rule 1: walks every route of {@link AccessRules} as every kind of caller (anonymous,
 * another organization's owner and API key, the operator, each role, a narrow API key) and expects a
 * refusal exactly where the caller lacks what the route requires. Each request runs in a transaction
 * that is rolled back, so one caller's allowed "remove member" does not change the next caller's case.
 */
@SpringBootTest
@AutoConfigureMockMvc
@org.springframework.context.annotation.Import(Fixtures.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteAccessTest {
  @Autowired MockMvc mvc;
  @Autowired Fixtures fixtures;
  @Autowired Invitations invitations;
  @Autowired Groups groups;
  @Autowired Organizations organizations;
  @Autowired TransactionTemplate tx;
  @Autowired dev.herald.audiences.MailingLists lists;
  @Autowired dev.herald.audiences.Subscribers subscribers;
  @Autowired dev.herald.audiences.CustomFields customFields;
  @Autowired dev.herald.suppression.Suppressions suppressions;
  @Autowired @Qualifier("requestMappingHandlerMapping") RequestMappingHandlerMapping handlerMapping;

  Organizations.Organization alpha, beta;
  HeraldUser operator, betaOwner, alphaMember;
  long alphaInvitation, alphaGroup, alphaKeyId, alphaList, alphaSubscriber, alphaField, alphaSuppression;
  String betaKey, alphaNarrowKey;
  List<Caller> callers = new ArrayList<>();

  /** Someone making a request, and what they hold in organization alpha. */
  record Caller(String name, HeraldUser user, String apiKey, boolean isOperator, Set<Permission> inAlpha) {
    boolean signedIn() {
      return user != null;
    }
  }

  @BeforeAll
  void world() {
    HeraldUser alphaOwner = fixtures.person("owner@alpha.test");
    alpha = fixtures.organization("Alpha", alphaOwner);
    betaOwner = fixtures.person("owner@beta.test");
    beta = fixtures.organization("Beta", betaOwner);
    operator = fixtures.operator("operator@herald.test");
    alphaMember = fixtures.member(alpha, "member@alpha.test", Role.member);
    OrganizationContext alphaContext = new OrganizationContext(alpha.id(), alpha.slug(), alpha.name(), Role.owner.permissions());
    alphaInvitation = invitations.invite(alphaContext, alphaOwner, "invitee@alpha.test", "viewer").id();
    alphaGroup = groups.create(alpha.id(), "Reporting", List.of("reports:read"));
    alphaKeyId = fixtures.apiKey(alpha, "lists:read").key().id();
    alphaList = lists.create(alpha.id(), new dev.herald.audiences.MailingLists.ListForm("News", "", "public", "single", null, null,
        List.of())).id();
    alphaSubscriber = subscribers.upsert(alpha.id(), new dev.herald.audiences.Subscribers.Input("reader@alpha.example.com", "Reader", null,
        null), "test");
    subscribers.subscribe(alpha.id(), alphaSubscriber, alphaList, "subscribed",
        dev.herald.audiences.Consent.Evidence.panel("owner@alpha.test", "test fixture", "127.0.0.1"));
    alphaField = customFields.create(alpha.id(), "plan", "Plan", "text", List.of()).id();
    alphaSuppression = suppressions.add(alpha.id(), new dev.herald.suppression.Suppressions.NewEntry("gone@alpha.example.com", null,
        "complaint", null, null), "test").entry().id();
    alphaNarrowKey = fixtures.apiKey(alpha, "lists:read", "reports:read").secret();
    betaKey = fixtures.apiKey(beta, "send", "lists:write", "campaigns:write", "members:read", "audit:read", "privacy").secret();

    callers.add(new Caller("anonymous", null, null, false, Set.of()));
    callers.add(new Caller("operator (not a member)", operator, null, true, Set.of()));
    callers.add(new Caller("owner of another organization", betaOwner, null, false, Set.of()));
    callers.add(new Caller("API key of another organization", null, betaKey, false, Set.of()));
    callers.add(new Caller("alpha owner", alphaOwner, null, false, Role.owner.permissions()));
    for (Role role : List.of(Role.admin, Role.member, Role.viewer)) {
      HeraldUser user = role == Role.member ? alphaMember : fixtures.member(alpha, role + "@alpha.test", role);
      callers.add(new Caller("alpha " + role, user, null, false, role.permissions()));
    }
    callers.add(new Caller("alpha API key (lists:read, reports:read)", null, alphaNarrowKey, false,
        ApiScope.permissionsOf(List.of("lists:read", "reports:read"))));
  }

  @TestFactory
  Stream<DynamicTest> every_route_refuses_every_caller_that_lacks_its_permission() {
    return AccessRules.RULES.stream().flatMap(rule -> callers.stream().map(caller -> DynamicTest.dynamicTest(
        describe(rule) + " as " + caller.name(), () -> check(rule, caller))));
  }

  /** Object ids of alpha used through beta's path must never reach alpha's data. */
  @TestFactory
  Stream<DynamicTest> another_organizations_object_ids_are_not_found_through_your_own_organization() {
    return AccessRules.RULES.stream()
        .filter(r -> r.requirement() instanceof Needs && r.method() != HttpMethod.GET)
        .filter(r -> r.pattern().getPatternString().matches(".*\\{(id|userId|listId)}.*"))
        .map(rule -> DynamicTest.dynamicTest(describe(rule) + " with alpha's ids as beta's owner", () -> {
          MockHttpServletResponse response = perform(rule, concretePath(rule, beta.slug()), new Caller("beta owner", betaOwner, null, false,
              Role.owner.permissions()));
          assertThat(response.getStatus()).as("status of %s", describe(rule)).isEqualTo(404);
        }));
  }

  @Test
  void every_mapped_route_is_declared_in_the_access_table() {
    List<String> undeclared = new ArrayList<>();
    for (RequestMappingInfo info : handlerMapping.getHandlerMethods().keySet()) {
      Set<org.springframework.web.bind.annotation.RequestMethod> methods = info.getMethodsCondition().getMethods();
      for (PathPattern pattern : info.getPathPatternsCondition().getPatterns()) {
        String path = pattern.getPatternString().replaceAll("\\{[^}]+}", "x1").replace("/**", "/x");
        for (var m : methods.isEmpty() ? EnumSet.of(org.springframework.web.bind.annotation.RequestMethod.GET) : methods) {
          if (AccessRules.find(HttpMethod.valueOf(m.name()), path).isEmpty()) undeclared.add(m + " " + pattern.getPatternString());
        }
      }
    }
    assertThat(undeclared).as("routes missing from AccessRules").isEmpty();
  }

  @Test
  void a_route_missing_from_the_table_is_refused_even_to_the_operator() throws Exception {
    MockHttpServletResponse r = mvc.perform(request(HttpMethod.GET, "/not-declared-anywhere").with(signedIn(operator)))
        .andReturn().getResponse();
    assertThat(r.getStatus()).isEqualTo(403);
  }

  private void check(Rule rule, Caller caller) {
    MockHttpServletResponse response = perform(rule, concretePath(rule, alpha.slug()), caller);
    boolean refused = isRefusal(response);
    boolean shouldPass = allowed(rule.requirement(), caller);
    assertThat(refused)
        .as("%s as %s answered %d (Location %s); expected %s", describe(rule), caller.name(), response.getStatus(),
            response.getHeader("Location"), shouldPass ? "access" : "a refusal")
        .isEqualTo(!shouldPass);
  }

  private static boolean allowed(Requirement requirement, Caller caller) {
    return switch (requirement) {
      case Public p -> true;
      case SignedIn s -> caller.signedIn();
      case Operator o -> caller.isOperator();
      case Member m -> !caller.inAlpha().isEmpty();
      case Needs n -> caller.inAlpha().contains(n.permission());
    };
  }

  /**
   * 401/403, or the security layer sending an anonymous page request to sign in (with ?next=, unlike a
   * controller's own plain "redirect:/login", e.g. GET / for someone not signed in).
   */
  private static boolean isRefusal(MockHttpServletResponse response) {
    String location = response.getHeader("Location");
    return response.getStatus() == 401 || response.getStatus() == 403
        || (response.getStatus() == 302 && location != null && location.startsWith("/login?next="));
  }

  private MockHttpServletResponse perform(Rule rule, String path, Caller caller) {
    HttpMethod method = rule.method() == null ? HttpMethod.GET : rule.method();
    return tx.execute(status -> {
      status.setRollbackOnly();
      try {
        MockHttpServletRequestBuilder request = request(method, path).with(csrf());
        if (caller.user() != null) request.with(signedIn(caller.user()));
        if (caller.apiKey() != null) request.header("Authorization", "Bearer " + caller.apiKey());
        if (path.startsWith("/api/") && method != HttpMethod.GET && method != HttpMethod.DELETE) {
          request.contentType("application/json").content("{}");
        }
        return mvc.perform(request).andReturn().getResponse();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private String concretePath(Rule rule, String orgSlug) {
    String p = rule.pattern().getPatternString();
    long id = p.contains("/invitations/{id}") ? alphaInvitation
        : p.contains("/groups/{id}") ? alphaGroup
        : p.contains("/lists/{id}") ? alphaList
        : p.contains("/subscribers/{id}") ? alphaSubscriber
        : p.contains("/fields/{id}") ? alphaField
        : p.contains("/suppressions/{id}") ? alphaSuppression
        : alphaKeyId;
    return p.replace("{org}", orgSlug).replace("{userId}", Long.toString(alphaMember.id())).replace("{id}", Long.toString(id))
        .replace("{listId}", Long.toString(alphaList)).replace("/**", "/index.html");
  }

  private static String describe(Rule rule) {
    return (rule.method() == null ? "ANY" : rule.method().name()) + " " + rule.pattern().getPatternString();
  }
}
