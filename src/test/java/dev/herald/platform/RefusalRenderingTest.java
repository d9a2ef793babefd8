package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.stereotype.Controller;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every kind of {@link Refusal} as each web transport renders it: the API's problem+json, the panel's
 * error page, and a panel form marked {@link OnRefused} (errors and values flashed, redirect). A new
 * kind, or a status changed in {@link HttpRefusal}, fails here.
 */
class RefusalRenderingTest {
  /** Each kind with the HTTP answer it must get; Retry-After only where the refusal names a wait. */
  enum Kind {
    INVALID(() -> Refused.invalid("email", "Not a valid email address."), 422, "email", null),
    INVALID_FORM(() -> Refused.invalid(null, "Send the list's fields."), 422, null, null),
    NOT_FOUND(() -> Refused.notFound("List"), 404, null, null),
    CONFLICT(() -> Refused.conflict("name", "A list named News exists already."), 409, "name", null),
    FORBIDDEN(() -> Refused.forbidden("Sign-up is closed on this installation."), 403, null, null),
    LIMITED(() -> Refused.limited("Three confirmation mails today; try again tomorrow.", Duration.ofHours(24)), 429, null, "86400"),
    LIMITED_NO_WAIT(() -> Refused.limited("Too many.", null), 429, null, null),
    UNAVAILABLE(() -> Refused.unavailable("Other exports are running.", Duration.ofMillis(59_001)), 503, null, "60");

    final Supplier<Refused> refused;
    final int status;
    final String field;
    final String retryAfter;

    Kind(Supplier<Refused> refused, int status, String field, String retryAfter) {
      this.refused = refused;
      this.status = status;
      this.field = field;
      this.retryAfter = retryAfter;
    }
  }

  @RestController
  static class Api {
    @GetMapping("/api/refuse/{kind}")
    Map<String, String> refuse(@PathVariable Kind kind) {
      throw kind.refused.get();
    }
  }

  @Controller
  static class Page {
    @GetMapping("/page/refuse/{kind}")
    String refuse(@PathVariable Kind kind) {
      throw kind.refused.get();
    }

    @PostMapping("/o/{org}/things/{kind}")
    @OnRefused(value = "/o/{org}/things#new", query = "q")
    String save(@PathVariable Kind kind) {
      throw kind.refused.get();
    }

    @PostMapping("/o/{org}/things/{id}/rename/{kind}")
    @OnRefused(value = "/o/{org}/things", errorKey = "thing-{id}", notFoundIsPage = true)
    String rename(@PathVariable Kind kind) {
      throw kind.refused.get();
    }
  }

  private final MockMvc mvc = MockMvcBuilders.standaloneSetup(new Api(), new Page())
      .setControllerAdvice(new ApiProblemHandler(), new PanelProblemHandler()).build();

  @ParameterizedTest
  @EnumSource(Kind.class)
  void theMappingGivesEachKindItsStatusAndWait(Kind kind) {
    Refusal refusal = kind.refused.get().refusal();
    assertThat(HttpRefusal.status(refusal).value()).isEqualTo(kind.status);
    assertThat(HttpRefusal.retryAfter(refusal)).isEqualTo(kind.retryAfter);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void theApiAnswersProblemJsonWithTheFieldAndRetryAfter(Kind kind) throws Exception {
    MockHttpServletResponse r = mvc.perform(get("/api/refuse/" + kind).accept(MediaType.APPLICATION_JSON)).andReturn().getResponse();
    Refusal refusal = kind.refused.get().refusal();
    assertThat(r.getStatus()).isEqualTo(kind.status);
    assertThat(r.getContentType()).isEqualTo("application/problem+json");
    assertThat(r.getHeader("Retry-After")).isEqualTo(kind.retryAfter);
    JsonNode body = JsonMapper.builder().build().readTree(r.getContentAsString());
    assertThat(body.get("status").asInt()).isEqualTo(kind.status);
    assertThat(body.get("detail").asString()).isEqualTo(refusal.message());
    if (kind.field == null) {
      assertThat(body.has("errors")).isFalse();
    } else {
      assertThat(body.get("errors").size()).isEqualTo(1);
      assertThat(body.get("errors").get(0).get("field").asString()).isEqualTo(kind.field);
      assertThat(body.get("errors").get(0).get("message").asString()).isEqualTo(refusal.message());
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aPageWithoutAFormAnswersTheErrorPageWithTheStatus(Kind kind) throws Exception {
    MockHttpServletResponse r = mvc.perform(get("/page/refuse/" + kind)).andReturn().getResponse();
    assertThat(r.getStatus()).isEqualTo(kind.status);
    assertThat(r.getErrorMessage()).isEqualTo(kind.refused.get().getMessage());
    assertThat(r.getHeader("Retry-After")).isEqualTo(kind.retryAfter);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aRefusedFormGoesBackWithItsErrorBesideTheFieldAndWhatWasTyped(Kind kind) throws Exception {
    MvcResult r = mvc.perform(post("/o/acme co/things/" + kind).param("name", "News").param("q", "sea rch")
        .param("password", "hunter2hunter2").param("_csrf", "t0ken")).andReturn();
    assertThat(r.getResponse().getStatus()).isEqualTo(302);
    assertThat(r.getResponse().getRedirectedUrl()).isEqualTo("/o/acme%20co/things?q=sea+rch#new");
    assertThat(r.getFlashMap().get("errors"))
        .isEqualTo(Map.of(kind.field == null ? "form" : kind.field, kind.refused.get().getMessage()));
    assertThat(r.getFlashMap().get("values")).as("what was typed, never a password or the CSRF token")
        .isEqualTo(Map.of("name", "News", "q", "sea rch"));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aFormWithOneErrorPlacePerRowGetsItThereAndMayLeaveNotFoundToTheErrorPage(Kind kind) throws Exception {
    MvcResult r = mvc.perform(post("/o/acme/things/7/rename/" + kind).param("q", "")).andReturn();
    if (kind == Kind.NOT_FOUND) {
      assertThat(r.getResponse().getStatus()).isEqualTo(404);
      assertThat(r.getFlashMap().isEmpty()).isTrue();
    } else {
      assertThat(r.getResponse().getRedirectedUrl()).as("a blank query parameter is left out").isEqualTo("/o/acme/things");
      assertThat(r.getFlashMap().get("errors")).isEqualTo(Map.of("thing-7", kind.refused.get().getMessage()));
    }
  }
}
