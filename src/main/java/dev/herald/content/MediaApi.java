package dev.herald.content;

import dev.herald.platform.Refused;
import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/** REST API of the media library; the editors' image picker reads its list. {org} is the organization's slug. */
@RestController
@Tag(name = "Media", description = "Images for campaigns (PNG, JPEG, GIF, WebP), served on the public origin")
class MediaApi {
  private final MediaLibrary library;

  MediaApi(MediaLibrary library) {
    this.library = library;
  }

  @GetMapping("/api/v1/orgs/{org}/media")
  @Operation(summary = "The organization's images, newest first, each with its public URL for mail")
  MediaLibrary.Page list(OrganizationContext org, @RequestParam(defaultValue = "0") int page,
      @RequestParam(defaultValue = "50") int size) {
    Refused.checkPage(page, size);
    return library.page(org.id(), page, size);
  }

  @GetMapping("/api/v1/orgs/{org}/media/{id}")
  @Operation(summary = "Get an image's details")
  MediaLibrary.Item one(OrganizationContext org, @PathVariable long id) {
    return library.find(org.id(), id).orElseThrow(() -> Refused.notFound("Image " + id));
  }

  @PostMapping(value = "/api/v1/orgs/{org}/media", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  @Operation(summary = "Upload an image in the 'file' part: PNG, JPEG, GIF or WebP, told by its content (not its name or "
      + "Content-Type), within the size limits. 201 with the new image; 200 with the one already there when the library "
      + "holds the same content.")
  ResponseEntity<MediaLibrary.Item> upload(OrganizationContext org,
      @Parameter(content = @Content(mediaType = "application/octet-stream", schema = @Schema(type = "string", format = "binary")))
      @RequestParam(required = false) MultipartFile file) {
    MediaLibrary.Added added = MediaUploads.add(library, org.id(), file);
    if (!added.created()) return ResponseEntity.ok(added.item());
    return ResponseEntity.created(URI.create("/api/v1/orgs/" + org.slug() + "/media/" + added.item().id())).body(added.item());
  }

  /** The same call without a multipart body: refused as problem+json naming the part, like every error of the API. */
  @PostMapping("/api/v1/orgs/{org}/media")
  @Operation(hidden = true)
  ResponseEntity<ProblemDetail> uploadWithoutFile(OrganizationContext org) {
    String detail = "Send the image as multipart/form-data, in the 'file' part.";
    ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.UNSUPPORTED_MEDIA_TYPE, detail);
    body.setProperty("errors", List.of(Map.of("field", "file", "message", detail)));
    return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE).header(HttpHeaders.ACCEPT, MediaType.MULTIPART_FORM_DATA_VALUE)
        .body(body);
  }

  @DeleteMapping("/api/v1/orgs/{org}/media/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete an image: its public URL answers 404 from then on, also in mail already sent that shows it")
  void delete(OrganizationContext org, @PathVariable long id) {
    if (!library.delete(org.id(), id)) throw Refused.notFound("Image " + id);
  }
}
