package dev.herald.content;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.Refused;
import java.time.ZoneOffset;
import java.util.Optional;
import liqp.TemplateParser;
import liqp.filters.Filter;
import liqp.parser.Flavor;
import org.springframework.stereotype.Component;

/**
 * The template language: Liquid (liqp) as a sandbox. A template is compiled once ({@link #compile}) and rendered per
 * recipient ({@link CompiledTemplate#render}). What the sandbox changes in liqp, and why, is in
 * docs/template-language.md; the bounds are {@code herald.content.template.*}.
 */
@Component("liquidTemplateEngine") // not "templateEngine": that name is Thymeleaf's
public class TemplateEngine {
  private final LiquidLimits limits;
  private final TemplateParser parser;
  private final LiquidCompiler compiler;

  @org.springframework.beans.factory.annotation.Autowired // two constructors: this is Spring's
  public TemplateEngine(HeraldProperties properties) {
    this(limits(properties.content().template()));
  }

  TemplateEngine(LiquidLimits limits) {
    this.limits = limits;
    TemplateParser.Builder builder = new TemplateParser.Builder()
        .withFlavor(Flavor.LIQUID)
        .withErrorMode(TemplateParser.ErrorMode.STRICT)
        .withStrictVariables(false)
        .withEvaluateMode(TemplateParser.EvaluateMode.LAZY)
        .withShowExceptionsFromInclude(true)
        .withDefaultTimeZone(ZoneOffset.UTC)
        .withMaxIterations(limits.maxLoopIterations())
        // Never reached (the include tag is ours); here so that nothing in liqp can fall back to its file reader.
        .withNameResolver(name -> {
          throw new IllegalStateException("templates read no files");
        })
        .withRenderTransformer(new LiquidOutput())
        .withTag(new LiquidInclude());
    for (Filter filter : LiquidFilters.all()) builder.withFilter(filter);
    this.parser = builder.build();
    this.compiler = new LiquidCompiler(parser, limits);
  }

  private static LiquidLimits limits(HeraldProperties.Content.TemplateLanguage t) {
    return new LiquidLimits(t.maxRenderTime(), t.maxOutputSize().toBytes(), t.maxIncludeDepth(), t.maxTemplateSize().toBytes(),
        t.maxLoopIterations());
  }

  /**
   * Checks and parses a template whose output is text (a subject line, the text part); {@code {% include 'name' %}}
   * is resolved through {@code snippets} now. Outputs are inserted as they are.
   *
   * @throws Refused invalid ("source") with "Line L, column C: ..." when it does not compile
   */
  public CompiledTemplate compile(String source, SnippetLookup snippets) {
    return compile(source, snippets, false);
  }

  /**
   * Like {@link #compile}, for a template whose output is HTML (a campaign body, a campaign template): every
   * {@code {{ output }}} is HTML-escaped unless its last filter is {@code raw} (or {@code escape}, which already did),
   * and the bare {@code {{ content }}} is inserted as it is (the body is HTML).
   */
  public CompiledTemplate compileHtml(String source, SnippetLookup snippets) {
    return compile(source, snippets, true);
  }

  private CompiledTemplate compile(String source, SnippetLookup snippets, boolean html) {
    try {
      return new CompiledTemplate(parser, limits, compiler.compile(source == null ? "" : source, snippets), html);
    } catch (LiquidCompiler.Failed e) {
      throw Refused.invalid("source", e.error.describe());
    } catch (RuntimeException e) {
      throw Refused.invalid("source", LiquidCompiler.failure(e).error.describe());
    }
  }

  /** For pages that place the error themselves: the first error of {@code source}, or empty when it compiles. */
  public Optional<TemplateError> check(String source, SnippetLookup snippets) {
    try {
      new CompiledTemplate(parser, limits, compiler.compile(source == null ? "" : source, snippets), false);
      return Optional.empty();
    } catch (LiquidCompiler.Failed e) {
      return Optional.of(e.error);
    } catch (RuntimeException e) {
      return Optional.of(LiquidCompiler.failure(e).error);
    }
  }
}
