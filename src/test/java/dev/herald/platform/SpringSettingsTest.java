package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.env.Environment;

/** The settings Spring applies (session, shutdown, disk, upload size) are the ones HeraldProperties checked, with its defaults. */
@SpringBootTest(properties = {"herald.session-timeout=2h", "herald.shutdown-timeout=45s", "herald.min-free-disk=2GB",
    "herald.max-import-size=3MB"})
class SpringSettingsTest {
  @Autowired Environment environment;
  @Autowired HeraldProperties properties;

  @Test
  void spring_reads_the_checked_herald_settings() {
    assertThat(properties.sessionTimeout()).hasHours(2);
    assertThat(environment.getProperty("spring.session.timeout")).isEqualTo("2h");
    assertThat(environment.getProperty("spring.lifecycle.timeout-per-shutdown-phase")).isEqualTo("45s");
    assertThat(environment.getProperty("management.health.diskspace.threshold")).isEqualTo("2GB");
    assertThat(environment.getProperty("spring.servlet.multipart.max-file-size")).isEqualTo("3MB");
    assertThat(environment.getProperty("spring.servlet.multipart.max-request-size")).isEqualTo("3MB");
  }

  /**
   * application.yml hands {@code herald.*} settings to Spring with a fallback ({@code ${herald.session-timeout:8h}}),
   * because the placeholder does not see HeraldProperties' defaults. The two must say the same, or an installation
   * that sets nothing would run with another value than the one HeraldProperties checked and README lists.
   */
  @Test
  void every_herald_default_in_application_yml_is_the_one_herald_properties_declares() throws IOException {
    String yml = new ClassPathResource("application.yml").getContentAsString(StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("\\$\\{herald\\.([a-z0-9.-]+):([^}]*)}").matcher(yml);
    List<String> seen = new ArrayList<>();
    while (m.find()) {
      String setting = m.group(1);
      Parameter parameter = parameter(setting);
      DefaultValue declared = parameter.getAnnotation(DefaultValue.class);
      assertThat(declared).as("herald.%s has a @DefaultValue", setting).isNotNull();
      var conversion = ApplicationConversionService.getSharedInstance();
      assertThat(conversion.convert(m.group(2), parameter.getType()))
          .as("herald.%s: application.yml's default against HeraldProperties'", setting)
          .isEqualTo(conversion.convert(declared.value()[0], parameter.getType()));
      seen.add(setting);
    }
    assertThat(seen).as("the placeholders this test reads")
        .contains("session-timeout", "max-import-size", "shutdown-timeout", "min-free-disk");
  }

  /**
   * The constructor parameter a setting binds to ({@code imports.statement-timeout} → Imports' statementTimeout):
   * {@code @DefaultValue} is on the canonical constructor's parameter, not on the record component.
   */
  private static Parameter parameter(String setting) {
    Class<?> type = HeraldProperties.class;
    Parameter found = null;
    for (String part : setting.split("\\.")) {
      String name = Pattern.compile("-([a-z0-9])").matcher(part).replaceAll(r -> r.group(1).toUpperCase());
      RecordComponent[] components = type.getRecordComponents();
      Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
      Parameter[] parameters;
      try {
        parameters = type.getDeclaredConstructor(types).getParameters();
      } catch (NoSuchMethodException e) {
        throw new AssertionError(type + " has no canonical constructor", e);
      }
      found = null;
      for (int i = 0; i < components.length; i++) if (components[i].getName().equals(name)) found = parameters[i];
      assertThat(found).as("herald.%s is a field of HeraldProperties", setting).isNotNull();
      type = found.getType();
    }
    return found;
  }
}
