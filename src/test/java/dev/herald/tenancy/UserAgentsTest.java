package dev.herald.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The session list names browsers as people say them, not as raw User-Agent strings. */
class UserAgentsTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36 | Chrome on Linux
      Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 | Chrome on Linux
      Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0 | Edge on Windows
      Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15 | Safari on macOS
      Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1 | Safari on iPhone
      Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 | Chrome on Android
      Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0 | Firefox on Linux
      Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0 | Opera on Windows
      curl/8.5.0 | curl
      something else entirely | Unknown browser
      """)
  void names_the_browser_and_the_system(String userAgent, String expected) {
    assertThat(UserAgents.describe(userAgent)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"''", "'   '"})
  void an_empty_header_is_an_unknown_browser(String userAgent) {
    assertThat(UserAgents.describe(userAgent)).isEqualTo("Unknown browser");
    assertThat(UserAgents.describe(null)).isEqualTo("Unknown browser");
  }
}
