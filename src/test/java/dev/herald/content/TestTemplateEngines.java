package dev.herald.content;

/** A template engine with the test bounds of {@link TemplateEngineTest#LIMITS}, for other capabilities' unit tests. */
public final class TestTemplateEngines {
  private TestTemplateEngines() {}

  public static TemplateEngine engine() {
    return new TemplateEngine(TemplateEngineTest.LIMITS);
  }
}
