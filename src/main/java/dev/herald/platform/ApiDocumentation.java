package dev.herald.platform;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.PathParameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document at {@code /api/openapi.json}, made usable by client generators: Herald's title and
 * version, how to authenticate, concrete media types (a response springdoc would call {@code *}{@code /*}
 * is JSON), and the problem+json every error answers ({@link ApiProblemHandler}, {@link ErrorResponses}).
 * Each capability documents its own values (enums) beside its API.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {
  private static final String PROBLEM = "Problem";
  private static final String PROBLEM_JSON = "application/problem+json";

  @Bean
  OpenAPI heraldOpenApi(ObjectProvider<BuildProperties> build) {
    BuildProperties properties = build.getIfAvailable();
    return new OpenAPI()
        .info(new Info()
            .title("Herald API")
            .version(properties != null && properties.getVersion() != null ? properties.getVersion() : "development")
            .description("""
                The REST API of a Herald installation: an organization's lists, subscribers, custom fields, segments, \
                imports, exports, suppressions, members and API keys. Every path is under /api/v1/orgs/{org}, where \
                {org} is the organization's slug. Authenticate with an API key of that organization \
                (Authorization: Bearer hrld_...; its scopes decide what it may do) or a signed-in panel session \
                (with the X-CSRF-TOKEN header on changes). Errors are RFC 9457 problem+json; a refused field is \
                named in errors[].field."""))
        // Relative: the API is where the document was fetched. Left out, springdoc would write the request's Host here.
        .servers(List.of(new Server().url("/").description("This installation")))
        .components(new Components()
            .addSecuritySchemes("apiKey", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("An API key of the organization: hrld_...")))
        .addSecurityItem(new SecurityRequirement().addList("apiKey"));
  }

  /** Every operation: JSON where springdoc left {@code *}{@code /*}, and its errors as problem+json. */
  @Bean
  OpenApiCustomizer concreteMediaTypesAndProblems() {
    return api -> {
      // Here, not on the bean: springdoc writes the scanned schemas over the bean's.
      if (api.getComponents() == null) api.setComponents(new Components());
      api.getComponents().addSchemas(PROBLEM, problemSchema());
      if (api.getPaths() == null) return;
      api.getPaths().forEach((template, path) -> path.readOperations().forEach(operation -> {
        declarePathVariables(template, operation);
        if (operation.getResponses() == null) return;
        operation.getResponses().forEach((code, response) -> {
          Content content = response.getContent();
          if (content == null) return;
          MediaType any = content.remove("*/*");
          if (any != null) content.addMediaType(code.startsWith("2") ? "application/json" : PROBLEM_JSON, any);
        });
        operation.getResponses().addApiResponse("default", new ApiResponse()
            .description("An error: 400 unreadable request, 401 not authenticated, 403 not permitted, 404 not found "
                + "(also another organization's id), 405, 409 conflict, 422 invalid field (named in errors), "
                + "429 rate limited (Retry-After), 500 with an error id.")
            .content(new Content().addMediaType(PROBLEM_JSON,
                new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM)))));
      }));
    };
  }

  private static final java.util.regex.Pattern PATH_VARIABLE = java.util.regex.Pattern.compile("\\{([^}/]+)}");

  /**
   * Declares each variable of the path template the operation does not: {@code {org}} is resolved to the
   * organization by the web layer, not bound from a handler parameter, so springdoc leaves it out.
   */
  private static void declarePathVariables(String template, io.swagger.v3.oas.models.Operation operation) {
    java.util.regex.Matcher m = PATH_VARIABLE.matcher(template);
    while (m.find()) {
      String name = m.group(1);
      boolean declared = operation.getParameters() != null && operation.getParameters().stream()
          .anyMatch(p -> "path".equals(p.getIn()) && name.equals(p.getName()));
      if (declared) continue;
      operation.addParametersItem(new PathParameter().name(name).schema(new StringSchema())
          .description(name.equals("org") ? "The organization's slug" : null));
    }
  }

  @SuppressWarnings("rawtypes")
  private static Schema problemSchema() {
    Schema<?> error = new ObjectSchema()
        .addProperty("field", new StringSchema().description("The request field, e.g. email or lists[0]"))
        .addProperty("message", new StringSchema());
    return new ObjectSchema()
        .description("RFC 9457 problem details")
        .properties(Map.of(
            "type", new StringSchema().example("about:blank"),
            "title", new StringSchema().example("Unprocessable Content"),
            "status", new IntegerSchema().example(422),
            "detail", new StringSchema().description("What went wrong, in words for people"),
            "instance", new StringSchema(),
            "errors", new ArraySchema().items(error).description("Each refused field, when the error names fields"),
            "errorId", new StringSchema().description("For a 500: the id to report; the server's log has the details")));
  }
}
