package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;

/** With a public host of its own, subscriber pages live only there and the panel never does. */
@SpringBootTest(properties = {"herald.base-url=https://panel.example.com", "herald.public-url=https://lists.example.com"})
@AutoConfigureMockMvc
class OriginSeparationTest {
  @Autowired MockMvc mvc;
  @Autowired HeraldProperties properties;

  MockHttpServletResponse response(String host, String rawPath) throws Exception {
    // Absolute, so that a path starting with // stays a path (not a host); the server name is set below.
    return mvc.perform(get(URI.create("http://any.example" + rawPath)).with(r -> {
      r.setServerName(host);
      return r;
    })).andReturn().getResponse();
  }

  int status(String host, String rawPath) throws Exception {
    return response(host, rawPath).getStatus();
  }

  @Test
  void each_host_serves_only_its_own_pages() throws Exception {
    assertThat(status("panel.example.com", "/login")).isEqualTo(200);
    assertThat(status("lists.example.com", "/login")).isEqualTo(404);
    assertThat(status("lists.example.com", "/api/openapi.json")).isEqualTo(404);
    assertThat(status("panel.example.com", "/p/confirm")).isEqualTo(404);
    assertThat(status("lists.example.com", "/p/confirm")).as("invalid token page, but served").isEqualTo(422);
    assertThat(status("lists.example.com", "/actuator/health")).isEqualTo(200);
    assertThat(properties.publicLink("/p/confirm?token=x")).isEqualTo("https://lists.example.com/p/confirm?token=x");
    assertThat(properties.link("/setup")).isEqualTo("https://panel.example.com/setup");
  }

  @Test
  void a_trailing_dot_or_capitals_in_the_public_host_do_not_reach_the_panel_or_the_api() throws Exception {
    for (String host : new String[] {"lists.example.com.", "LISTS.Example.COM", "lists.example.com.."}) {
      assertThat(status(host, "/login")).as("/login on %s", host).isEqualTo(404);
      assertThat(status(host, "/api/openapi.json")).as("/api/openapi.json on %s", host).isEqualTo(404);
      assertThat(status(host, "/api/v1/me")).as("/api/v1/me on %s", host).isEqualTo(404);
      assertThat(status(host, "/p/confirm")).as("/p/confirm on %s", host).isEqualTo(422);
    }
  }

  @Test
  void an_encoded_or_dotted_path_does_not_serve_a_public_page_on_the_panel_host() throws Exception {
    for (String path : new String[] {"/%70/confirm", "/%70/subscribe/2", "//p/confirm", "/./p/confirm", "/p;x=1/confirm",
        "/x/..%2Fp/confirm", "/login/../p/confirm", "/assets/../p/confirm"}) {
      assertThat(status("panel.example.com", path)).as(path).isEqualTo(404);
    }
    for (String path : new String[] {"/%6Cogin", "//login", "/./login", "/p/../login", "/p%2F..%2Flogin", "/actuator/../login"}) {
      assertThat(status("lists.example.com", path)).as(path + " on the public host").isEqualTo(404);
    }
  }

  /** Regression (issue 9's trial): an unknown /p/ path on the public host redirected to the panel's sign-in page. */
  @Test
  void an_unknown_subscriber_page_is_a_404_on_the_public_host_not_a_redirect_to_the_panels_sign_in() throws Exception {
    for (String path : new String[] {"/p/nothing", "/p/subscribe/", "/p/confirm/extra"}) {
      MockHttpServletResponse r = response("lists.example.com", path);
      assertThat(r.getStatus()).as(path).isEqualTo(404);
      assertThat(r.getHeader("Location")).as(path).isNull();
    }
    assertThat(status("panel.example.com", "/o/acme")).as("panel pages still ask to sign in").isEqualTo(302);
  }

  @Test
  void hosts_are_compared_without_case_port_or_trailing_dot() {
    assertThat(RequestOrigin.host("Lists.Example.COM.:8443")).isEqualTo("lists.example.com");
    assertThat(RequestOrigin.host("[::1]:8080")).isEqualTo("[::1]");
  }
}
