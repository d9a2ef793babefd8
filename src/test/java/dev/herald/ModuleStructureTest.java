package dev.herald;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/** DESIGN.md: one package per capability; capabilities use only each other's public API. */
class ModuleStructureTest {
  @Test
  void capabilities_respect_their_boundaries() {
    ApplicationModules.of(HeraldApplication.class).verify();
  }
}
