package dev.herald;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Services say no with {@code Refused}, never with an HTTP status: the SMTP server will answer the same
 * refusal with a reply code (DESIGN.md, "Not like this"). Only the web layer may use
 * {@code org.springframework.http}: controllers ({@code *Controller}, {@code *Api}, with their nested
 * types) and the few web classes named here. Checked twice: on the compiled classes (a fully qualified
 * {@code org.springframework.http.HttpStatus.FORBIDDEN} is caught as well as an import) and on the
 * sources (javac copies a constant such as {@code HttpHeaders.RETRY_AFTER} into the class file, which
 * then no longer names HttpHeaders).
 */
class ServicesWithoutHttpTest {
  /** Web classes that are not controllers, each for a reason. */
  private static final Set<String> WEB = Set.of(
      "dev.herald.platform.ApiProblemHandler",   // renders refusals and Spring's errors as problem+json
      "dev.herald.platform.HttpRefusal",         // the Refusal → status and Retry-After mapping
      "dev.herald.platform.ErrorResponses",      // the container's error controller: problem+json under /api/, the error page elsewhere
      "dev.herald.platform.PanelProblemHandler", // renders refusals for pages
      "dev.herald.audiences.ExportDownload",     // the download response shared by ExportsApi and the panel
      "dev.herald.tenancy.AccessRules",          // the route table: HTTP method × path → permission
      "dev.herald.tenancy.RouteAuthorization",   // the filter that applies it
      "dev.herald.tenancy.SecurityConfiguration",
      "dev.herald.tracking.TrackingFilter");     // the pixel and click paths answered before MVC (names the route for metrics)

  private static boolean web(String topLevelClass) {
    return topLevelClass.endsWith("Controller") || topLevelClass.endsWith("Api") || WEB.contains(topLevelClass);
  }

  private static final DescribedPredicate<JavaClass> WEB_LAYER = DescribedPredicate.describe("the web layer",
      c -> web(c.getName().contains("$") ? c.getName().substring(0, c.getName().indexOf('$')) : c.getName()));

  @Test
  void only_the_web_layer_uses_spring_http() {
    JavaClasses herald = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.herald");
    noClasses().that().resideInAPackage("dev.herald..").and(DescribedPredicate.not(WEB_LAYER))
        .should().dependOnClassesThat().resideInAPackage("org.springframework.http..")
        .because("services refuse with dev.herald.platform.Refused; the web layer turns it into a status")
        .check(herald);
  }

  @Test
  void no_source_outside_the_web_layer_names_spring_http() throws IOException {
    Path root = Path.of("src/main/java");
    List<Path> sources;
    try (Stream<Path> files = Files.walk(root)) {
      sources = files.filter(f -> f.toString().endsWith(".java")).toList();
    }
    assertThat(sources).as("the scan sees the sources").hasSizeGreaterThan(50);
    List<String> offenders = sources.stream()
        .filter(f -> !web(root.relativize(f).toString().replace(".java", "").replace('/', '.')))
        .filter(f -> read(f).contains("org.springframework.http"))
        .map(Path::toString).toList();
    assertThat(offenders).as("services refuse with Refused; only the web layer names org.springframework.http").isEmpty();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
