package dev.herald.privacy;

import dev.herald.platform.Refused;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The operator's sub-processors over the API (the list the public privacy page and access archives show). */
@RestController
@Tag(name = "Operator: transparency", description = "Sub-processors shown on the public privacy page")
class TransparencyApi {
  private final SubProcessors subProcessors;

  TransparencyApi(SubProcessors subProcessors) {
    this.subProcessors = subProcessors;
  }

  record NewSubProcessor(String name, String purpose, String location, String url) {}

  @GetMapping("/api/v1/operator/sub-processors")
  @Operation(summary = "Sub-processors, by name")
  List<SubProcessors.SubProcessor> list() {
    return subProcessors.list();
  }

  @PostMapping("/api/v1/operator/sub-processors")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "List a sub-processor: name, purpose, location (where it processes data), url (its terms; may be empty)")
  SubProcessors.SubProcessor add(@RequestBody NewSubProcessor body) {
    if (body == null) throw Refused.invalid("name", "Name the sub-processor.");
    return subProcessors.add(body.name(), body.purpose(), body.location(), body.url());
  }

  @DeleteMapping("/api/v1/operator/sub-processors/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Remove a sub-processor")
  void remove(@PathVariable long id) {
    if (!subProcessors.remove(id)) throw Refused.notFound("Sub-processor");
  }
}
