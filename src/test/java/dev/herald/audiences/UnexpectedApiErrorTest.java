package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.reset;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import dev.herald.tenancy.TestOrganizations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The API's safety net: an exception nothing else handles is a problem+json 500 with an error id
 * that is also in the log, and nothing of the exception (SQL, stack trace) in the body; exceptions
 * that others map keep their own status.
 */
@SpringBootTest
@AutoConfigureMockMvc
@ExtendWith(OutputCaptureExtension.class)
@Import({AudienceFixtures.class, TestOrganizations.class})
class UnexpectedApiErrorTest {
  @Autowired MockMvc mvc;
  @Autowired AudienceFixtures fixtures;
  @Autowired ObjectMapper json;
  @MockitoSpyBean Segments segments;

  TestOrganizations.Created org;
  static int counter;

  @BeforeEach
  void organization() {
    org = fixtures.organization("Unexpected Co " + (++counter));
  }

  @AfterEach
  void restore() {
    reset(segments);
  }

  MockHttpServletResponse listSegments() throws Exception {
    return mvc.perform(get("/api/v1/orgs/" + org.slug() + "/segments").header("Authorization", "Bearer " + org.apiKey()))
        .andReturn().getResponse();
  }

  @Test
  void an_unexpected_exception_is_a_problem_500_with_an_error_id_and_no_sql_in_the_body(CapturedOutput log) throws Exception {
    doThrow(new DataIntegrityViolationException("PreparedStatementCallback; SQL [insert into subscriber (secret_column) values (?)]"))
        .when(segments).list(anyLong());
    MockHttpServletResponse r = listSegments();
    assertThat(r.getStatus()).isEqualTo(500);
    assertThat(r.getContentType()).startsWith("application/problem+json");
    String body = r.getContentAsString();
    JsonNode problem = json.readTree(body);
    String errorId = problem.get("errorId").asString();
    assertThat(errorId).matches("[0-9a-f]{8}");
    assertThat(problem.get("detail").asString()).contains(errorId);
    assertThat(problem.get("instance").asString()).isEqualTo("urn:herald:error:" + errorId);
    assertThat(body).doesNotContain("insert into").doesNotContain("secret_column").doesNotContain("Exception")
        .doesNotContain("dev.herald");
    assertThat(log.getOut() + log.getErr()).contains("Unexpected error " + errorId).contains("secret_column");
  }

  @Test
  void exceptions_spring_maps_itself_keep_their_status() throws Exception {
    doThrow(new ResponseStatusException(HttpStatus.CONFLICT, "busy")).when(segments).list(anyLong());
    assertThat(listSegments().getStatus()).isEqualTo(409);
    doThrow(new AccessDeniedException("not for you")).when(segments).list(anyLong());
    MockHttpServletResponse denied = listSegments();
    assertThat(denied.getStatus()).as("left to Spring Security, not turned into a 500").isEqualTo(403);
    assertThat(denied.getContentType()).startsWith("application/problem+json");
  }
}
