package dev.herald;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.modulith.Modulithic;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Herald: one application, one top-level package per capability (see DESIGN.md).
 *
 * <p>Without its user-details auto-configuration Spring Boot creates no in-memory user with a generated
 * password: people sign in only through {@code SignIn} (and keys through {@code ApiKeys}), and no
 * installation has a default password.
 */
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@ConfigurationPropertiesScan
@EnableScheduling
@Modulithic(sharedModules = "platform")
public class HeraldApplication {
  public static void main(String[] args) {
    SpringApplication.run(HeraldApplication.class, args);
  }
}
