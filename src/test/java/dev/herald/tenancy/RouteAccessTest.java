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
import dev.herald.testsupport.RouteFixtures;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.springframework.jdbc.core.simple.JdbcClient;
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
 * refusal exactly where the caller lacks what the route requires; then walks every route that takes an
 * object's id with another organization's ids. Path variables are filled with real objects that each
 * capability's {@link RouteFixtures} creates. Each request runs in a transaction that is rolled back, so
 * one caller's allowed "remove member" does not change the next caller's case.
 */
@SpringBootTest(properties = "herald.roles=web") // no background work (domain re-checks, pollers, hand-offs) changing rows during the walk
@AutoConfigureMockMvc
@org.springframework.context.annotation.Import({Fixtures.class, RouteFixtures.Scan.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteAccessTest {
  private static final Pattern VARIABLE = Pattern.compile("\\{([^}]+)}");
  @Autowired MockMvc mvc;
  @Autowired Fixtures fixtures;
  @Autowired List<RouteFixtures> routeFixtures;
  @Autowired JdbcClient jdbc;
  @Autowired TransactionTemplate tx;
  @Autowired @Qualifier("requestMappingHandlerMapping") RequestMappingHandlerMapping handlerMapping;

  Organizations.Organization alpha, beta;
  HeraldUser operator, betaOwner, alphaMember;
  /** Real ids of each organization's objects, keyed as {@link RouteFixtures#create} says. */
  Map<String, Object> alphaIds, betaIds;
  OrganizationRows rows;
  Map<String, String> alphaRowsBefore;
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
    alphaIds = objectsOf(alpha);
    betaIds = objectsOf(beta);
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
    rows = new OrganizationRows(jdbc);
    alphaRowsBefore = rows.of(alpha.id());
  }

  /** Every capability's objects in the organization, by the key its {@link RouteFixtures} gives them. */
  private Map<String, Object> objectsOf(Organizations.Organization org) {
    Map<String, Object> ids = new HashMap<>();
    for (RouteFixtures capability : routeFixtures) {
      capability.create(new RouteFixtures.Organization(org.id(), org.slug(), org.name())).forEach((key, id) -> {
        Object before = ids.put(key, id);
        if (before != null) throw new IllegalStateException("two RouteFixtures give an id for " + key);
      });
    }
    return ids;
  }

  @TestFactory
  Stream<DynamicTest> every_route_refuses_every_caller_that_lacks_its_permission() {
    return AccessRules.RULES.stream().flatMap(rule -> callers.stream().map(caller -> DynamicTest.dynamicTest(
        describe(rule) + " as " + caller.name(), () -> check(rule, caller))));
  }

  @Test
  void every_path_variable_is_walked_with_a_real_object() {
    List<String> missing = new ArrayList<>();
    for (Rule rule : AccessRules.RULES) {
      Matcher m = VARIABLE.matcher(rule.pattern().getPatternString());
      while (m.find()) {
        String upTo = rule.pattern().getPatternString().substring(0, m.end());
        if (!m.group(1).equals("org") && idFor(alphaIds, upTo).isEmpty()) missing.add(upTo);
      }
    }
    assertThat(missing).as("path variables that no RouteFixtures gives a real id for (write one in the capability's test package)")
        .isEmpty();
  }

  /**
   * Beta's owner asks for alpha's objects by id with every method, through beta's own slug (where the
   * table lets the owner in, so the id itself must be "not found", alone or beside one of beta's own ids)
   * and through alpha's slug (refused by the table). Alpha's rows must be the same after each request,
   * inside its transaction, and after the whole walk; no response may show alpha's name.
   */
  @TestFactory
  Stream<DynamicTest> another_organizations_objects_are_neither_shown_nor_changed() {
    Caller betaOwnerCaller = new Caller("beta owner", betaOwner, null, false, Set.of());
    Stream<DynamicTest> walk = AccessRules.RULES.stream()
        .filter(rule -> rule.requirement() instanceof Needs || rule.requirement() instanceof Member)
        .filter(rule -> objectVariables(rule) > 0)
        .flatMap(rule -> methodsOf(rule).stream().flatMap(method -> {
          List<DynamicTest> cases = new ArrayList<>();
          for (List<Map<String, Object>> ids : mixes(objectVariables(rule))) {
            String path = concretePath(rule, beta.slug(), ids);
            cases.add(DynamicTest.dynamicTest(method + " " + path + " (alpha's ids through beta) as beta's owner",
                () -> checkUntouched(method, path, betaOwnerCaller, 404)));
          }
          String path = concretePath(rule, alpha.slug(), Collections.nCopies(objectVariables(rule), alphaIds));
          cases.add(DynamicTest.dynamicTest(method + " " + path + " (through alpha) as beta's owner",
              () -> checkUntouched(method, path, betaOwnerCaller, null)));
          return cases.stream();
        }));
    return Stream.concat(walk, Stream.of(DynamicTest.dynamicTest("alpha's rows are unchanged after the walk",
        () -> assertThat(rows.changedSince(alphaRowsBefore, alpha.id())).isEmpty())));
  }

  @Test
  void the_fingerprint_of_an_organization_covers_its_objects_and_theirs() {
    assertThat(rows.tables()).contains("organization", "mailing_list", "subscriber", "subscription by subscriber_id", "segment",
        "import_job", "suppression", "invitation", "api_key", "membership", "campaign_recipient by campaign_id");
    Map<String, String> changed = tx.execute(status -> {
      status.setRollbackOnly();
      jdbc.sql("update subscription set status = 'unsubscribed' where list_id = ?").param(alphaIds.get("lists/{id}")).update();
      return rows.changedSince(alphaRowsBefore, alpha.id());
    });
    assertThat(changed).containsOnlyKeys("subscription by list_id", "subscription by subscriber_id");
    assertThat(rows.changedSince(alphaRowsBefore, alpha.id())).isEmpty();
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
  void a_route_missing_from_the_table_is_never_served_even_to_the_operator() throws Exception {
    MockHttpServletResponse r = mvc.perform(request(HttpMethod.GET, "/not-declared-anywhere").with(signedIn(operator)))
        .andReturn().getResponse();
    assertThat(r.getStatus()).as("the operator may know nothing is there").isEqualTo(404);
    // /actuator is mapped (Spring Boot's endpoint links) but declared nowhere: refused before it is reached.
    MockHttpServletResponse mapped = mvc.perform(request(HttpMethod.GET, "/actuator").with(signedIn(operator)))
        .andReturn().getResponse();
    assertThat(mapped.getStatus()).isEqualTo(404);
    assertThat(mapped.getContentAsString()).doesNotContain("_links");
  }

  private void check(Rule rule, Caller caller) {
    String path = concretePath(rule, alpha.slug(), Collections.nCopies(objectVariables(rule), alphaIds));
    MockHttpServletResponse response = perform(rule.method() == null ? HttpMethod.GET : rule.method(), path, caller, r -> {});
    boolean refused = isRefusal(response);
    // An API key is accepted by the REST API only: on a panel page it is a 401, whatever its scopes.
    boolean keyOnPage = caller.apiKey() != null && !path.startsWith("/api/") && !path.startsWith("/actuator/");
    boolean shouldPass = !keyOnPage && allowed(rule.requirement(), caller);
    assertThat(refused)
        .as("%s as %s answered %d (Location %s); expected %s", describe(rule), caller.name(), response.getStatus(),
            response.getHeader("Location"), shouldPass ? "access" : "a refusal")
        .isEqualTo(!shouldPass);
  }

  /** Expects this status (null: a refusal), alpha's name nowhere in the answer, and alpha's rows as they were. */
  private void checkUntouched(HttpMethod method, String path, Caller caller, Integer status) {
    MockHttpServletResponse response = perform(method, path, caller,
        r -> assertThat(rows.changedSince(alphaRowsBefore, alpha.id())).as("alpha's rows changed by %s %s", method, path).isEmpty());
    if (status == null) {
      assertThat(isRefusal(response)).as("%s %s answered %d; expected a refusal", method, path, response.getStatus()).isTrue();
    } else {
      assertThat(response.getStatus()).as("status of %s %s", method, path).isEqualTo(status);
    }
    assertThat(body(response)).as("answer to %s %s", method, path).doesNotContain(alpha.name());
  }

  private static String body(MockHttpServletResponse response) {
    try {
      return response.getContentAsString() + " " + response.getHeaderNames().stream().map(response::getHeader).toList();
    } catch (java.io.UnsupportedEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The rule's method, with HEAD beside GET (Spring answers HEAD with the GET handler). */
  private static List<HttpMethod> methodsOf(Rule rule) {
    HttpMethod method = rule.method() == null ? HttpMethod.GET : rule.method();
    return method == HttpMethod.GET ? List.of(HttpMethod.GET, HttpMethod.HEAD) : List.of(method);
  }

  /** How many path variables besides {@code {org}} the rule has: each one an object's id. */
  private static int objectVariables(Rule rule) {
    return (int) VARIABLE.matcher(rule.pattern().getPatternString()).results().filter(m -> !m.group(1).equals("org")).count();
  }

  /** For n object variables, every choice of whose id each one takes in which at least one is alpha's. */
  private List<List<Map<String, Object>>> mixes(int n) {
    List<List<Map<String, Object>>> mixes = new ArrayList<>();
    for (int bits = (1 << n) - 1; bits > 0; bits--) {
      List<Map<String, Object>> mix = new ArrayList<>();
      for (int i = 0; i < n; i++) mix.add((bits & (1 << i)) != 0 ? alphaIds : betaIds);
      mixes.add(mix);
    }
    return mixes;
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

  /** Runs the request in a transaction that is rolled back, after {@code inTransaction} has seen its effect. */
  private MockHttpServletResponse perform(HttpMethod method, String path, Caller caller,
      Consumer<MockHttpServletResponse> inTransaction) {
    return tx.execute(status -> {
      status.setRollbackOnly();
      try {
        MockHttpServletRequestBuilder request = request(method, path).with(csrf());
        if (caller.user() != null) request.with(signedIn(caller.user()));
        if (caller.apiKey() != null) request.header("Authorization", "Bearer " + caller.apiKey());
        if (path.startsWith("/api/") && method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.DELETE) {
          request.contentType("application/json").content("{}");
        }
        MockHttpServletResponse response = mvc.perform(request).andReturn().getResponse();
        inTransaction.accept(response);
        return response;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /**
   * The rule's path with {@code {org}} as this slug and each other variable, in order, as the id of a real
   * object from {@code ids}: no variable is left to an id of something else.
   */
  private static String concretePath(Rule rule, String orgSlug, List<Map<String, Object>> ids) {
    String pattern = rule.pattern().getPatternString();
    StringBuilder path = new StringBuilder();
    Matcher m = VARIABLE.matcher(pattern);
    int next = 0;
    while (m.find()) {
      String upTo = pattern.substring(0, m.end());
      String value = m.group(1).equals("org") ? orgSlug
          : String.valueOf(idFor(ids.get(next++), upTo)
              .orElseThrow(() -> new AssertionError("no RouteFixtures gives a real id for " + upTo)));
      m.appendReplacement(path, Matcher.quoteReplacement(value));
    }
    m.appendTail(path);
    return path.toString().replace("/**", "/index.html");
  }

  /** The id whose key ends the path up to a variable; the longest such key wins (see {@link RouteFixtures#create}). */
  private static Optional<Object> idFor(Map<String, Object> ids, String upToVariable) {
    return ids.entrySet().stream()
        .filter(e -> upToVariable.endsWith(e.getKey().startsWith("/") ? e.getKey() : "/" + e.getKey()))
        .max(Comparator.comparingInt(e -> e.getKey().length()))
        .map(Map.Entry::getValue);
  }

  private static String describe(Rule rule) {
    return (rule.method() == null ? "ANY" : rule.method().name()) + " " + rule.pattern().getPatternString();
  }
}
