package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.web.servlet.MockMvc;

/** With a public host of its own, subscriber pages live only there and the panel never does. */
@SpringBootTest(properties = {"herald.base-url=https://panel.example.com", "herald.public-url=https://lists.example.com"})
@AutoConfigureMockMvc
class OriginSeparationTest {
  @Autowired MockMvc mvc;
  @Autowired HeraldProperties properties;

  int status(String host, String path) throws Exception {
    return mvc.perform(get(path).with(r -> {
      r.setServerName(host);
      return r;
    })).andReturn().getResponse().getStatus();
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
}
