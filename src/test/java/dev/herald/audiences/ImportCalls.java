package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;

import dev.herald.tenancy.TestOrganizations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Imports the way an API client runs them: upload with the organization's key, then follow the job until the worker is done. */
record ImportCalls(MockMvc mvc, ObjectMapper json, Imports imports, TestOrganizations.Created org, long listId) {

  JsonNode upload(String fileName, byte[] content, Map<String, String> params, int expectedStatus) throws Exception {
    var request = multipart("/api/v1/orgs/" + org.slug() + "/imports").file(new MockMultipartFile("file", fileName, null, content))
        .param("listId", Long.toString(listId)).param("consentBasis", "signed up on our website");
    params.forEach(request::param);
    MockHttpServletResponse r = mvc.perform(request.header("Authorization", "Bearer " + org.apiKey())).andReturn().getResponse();
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(expectedStatus);
    return json.readTree(r.getContentAsString());
  }

  /** Waits for the worker (the tests poll it every 0.1 s) to finish the job; returns the job. */
  JsonNode finished(JsonNode created) throws Exception {
    long id = created.get("id").asLong();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      JsonNode job = json.readTree(mvc.perform(get("/api/v1/orgs/" + org.slug() + "/imports/" + id)
          .header("Authorization", "Bearer " + org.apiKey())).andReturn().getResponse().getContentAsString());
      if (List.of("finished", "failed").contains(job.get("status").asString())) return job;
      Thread.sleep(100);
    }
    throw new AssertionError("import " + id + " did not finish in 60 s");
  }

  /** The rows the job set aside: line → reason. */
  Map<Long, String> errors(JsonNode job) {
    Map<Long, String> out = new TreeMap<>();
    imports.errors(org.id(), job.get("id").asLong(), 1000).forEach(e -> out.put(e.line(), e.reason()));
    return out;
  }
}
