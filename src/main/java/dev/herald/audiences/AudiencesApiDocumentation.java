package dev.herald.audiences;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.stereotype.Component;

/**
 * The values the audience API takes and answers that are not typed on its records, as enums in the OpenAPI
 * document, read from the code that checks them (so the document cannot drift from it): custom field types,
 * segment condition types and operators, import statuses, formats and mapping targets.
 */
@Component
class AudiencesApiDocumentation implements OpenApiCustomizer {
  @Override
  public void customise(OpenAPI api) {
    // Statuses are typed (SubscriptionStatus, annotated where they are Strings); these values live in code that
    // is not an enum on the record, so they are read here from what checks them.
    List<String> conditionTypes = Arrays.stream(SegmentCondition.Type.values()).map(SegmentCondition.Type::text).toList();
    List<String> ops = Arrays.stream(SegmentCondition.Op.values()).map(SegmentCondition.Op::text).toList();
    List<String> importStatuses = Arrays.stream(ImportStatus.values()).map(ImportStatus::text).toList();
    property(api, "FieldRequest", "type", CustomFields.TYPES);
    property(api, "Field", "type", CustomFields.TYPES);
    property(api, "Rule", "type", conditionTypes);
    property(api, "Rule", "op", ops);
    property(api, "Created", "status", importStatuses);
    operations(api, "/api/v1/orgs/{org}/exports/subscribers").forEach(o -> parameter(o, "format", formats(ExportFormat.values())));
    operations(api, "/api/v1/orgs/{org}/imports").forEach(o -> {
      parameter(o, "format", formats(SubscriberFileFormat.values()));
      parameter(o, "importAs", Arrays.stream(SubscriptionStatus.values()).map(SubscriptionStatus::text)
          .filter(REQUESTABLE::contains).toList());
      mapping(o);
    });
  }

  /** What a caller may ask an import or a subscription for; bounced and complained are only ever answered. */
  private static final List<String> REQUESTABLE = List.of("subscribed", "unconfirmed", "unsubscribed");

  /**
   * The mapping is a JSON object in one parameter: column name to target, each target one of the fixed ones
   * or {@code field:<key>} of a custom field.
   */
  private static void mapping(Operation operation) {
    if (operation.getParameters() == null) return;
    operation.getParameters().stream().filter(p -> "mapping".equals(p.getName())).forEach(p -> {
      StringSchema target = new StringSchema();
      target.setDescription("One of the listed targets, or field:<key> for a custom field (e.g. field:city)");
      target.setEnum(ImportFiles.TARGETS.stream().sorted().toList());
      Schema<?> fieldTarget = new StringSchema().pattern("^field:[a-z][a-z0-9_]{0,39}$");
      Schema<Object> map = new ObjectSchema().additionalProperties(new Schema<>().anyOf(List.of(target, fieldTarget)));
      map.setDescription("Column name (as in the file's header) to target, e.g. {\"E-Mail\":\"email\",\"Town\":\"field:city\"}");
      p.setSchema(null);
      p.setContent(new Content().addMediaType("application/json", new MediaType().schema(map)));
    });
  }

  private static List<String> formats(Enum<?>[] values) {
    return Arrays.stream(values).map(v -> v.name().toLowerCase(java.util.Locale.ROOT)).toList();
  }

  @SuppressWarnings("unchecked")
  private static void property(OpenAPI api, String schema, String property, List<String> values) {
    if (api.getComponents() == null || api.getComponents().getSchemas() == null) return;
    Schema<?> owner = api.getComponents().getSchemas().get(schema);
    if (owner == null || owner.getProperties() == null) return;
    Schema<Object> p = (Schema<Object>) owner.getProperties().get(property);
    if (p != null) p.setEnum(List.copyOf(values));
  }

  @SuppressWarnings("unchecked")
  private static void parameter(Operation operation, String name, List<String> values) {
    if (operation.getParameters() == null) return;
    for (Parameter p : operation.getParameters()) {
      if (name.equals(p.getName()) && p.getSchema() != null) ((Schema<Object>) p.getSchema()).setEnum(List.copyOf(values));
    }
  }

  private static Stream<Operation> operations(OpenAPI api, String path) {
    return api.getPaths() == null || api.getPaths().get(path) == null ? Stream.empty()
        : api.getPaths().get(path).readOperations().stream().filter(Objects::nonNull);
  }
}
