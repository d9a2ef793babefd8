package dev.herald;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Services say no with {@code Refused}, never with an HTTP status: the SMTP server will answer the same
 * refusal with a reply code (DESIGN.md, "Not like this"). Only the web layer may use
 * {@code org.springframework.http}: controllers ({@code *Controller}, {@code *Api}, with their nested
 * types) and the few web classes named here. Checked on the compiled classes, so a fully qualified
 * {@code org.springframework.http.HttpStatus.FORBIDDEN} in a service is caught as well as an import.
 */
class ServicesWithoutHttpTest {
  /** Web classes that are not controllers, each for a reason. */
  private static final Set<String> WEB = Set.of(
      "dev.herald.platform.ApiProblemHandler",   // renders refusals and Spring's errors as problem+json
      "dev.herald.platform.HttpRefusal",         // the Refusal → status and Retry-After mapping
      "dev.herald.platform.PanelProblemHandler", // renders refusals for pages
      "dev.herald.audiences.ExportDownload",     // the download response shared by ExportsApi and the panel
      "dev.herald.tenancy.AccessRules",          // the route table: HTTP method × path → permission
      "dev.herald.tenancy.RouteAuthorization",   // the filter that applies it
      "dev.herald.tenancy.SecurityConfiguration");

  private static final DescribedPredicate<JavaClass> WEB_LAYER = DescribedPredicate.describe("the web layer", c -> {
    String topLevel = c.getName().contains("$") ? c.getName().substring(0, c.getName().indexOf('$')) : c.getName();
    return topLevel.endsWith("Controller") || topLevel.endsWith("Api") || WEB.contains(topLevel);
  });

  @Test
  void only_the_web_layer_uses_spring_http() {
    JavaClasses herald = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.herald");
    noClasses().that().resideInAPackage("dev.herald..").and(DescribedPredicate.not(WEB_LAYER))
        .should().dependOnClassesThat().resideInAPackage("org.springframework.http..")
        .because("services refuse with dev.herald.platform.Refused; the web layer turns it into a status")
        .check(herald);
  }
}
