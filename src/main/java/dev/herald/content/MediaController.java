package dev.herald.content;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.OnRefused;
import dev.herald.platform.Refused;
import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.Permission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The media library's panel page: upload images (several at once), see them as thumbnails, copy an address, delete. */
@dev.herald.platform.PanelController
class MediaController {
  private static final int PAGE_SIZE = 48;
  private final MediaLibrary library;
  private final HeraldProperties properties;

  MediaController(MediaLibrary library, HeraldProperties properties) {
    this.library = library;
    this.properties = properties;
  }

  @GetMapping("/o/{org}/media")
  String page(OrganizationContext org, @RequestParam(defaultValue = "0") int page, Model model) {
    model.addAttribute("page", library.page(org.id(), Math.max(page, 0), PAGE_SIZE));
    model.addAttribute("usage", library.usage(org.id()));
    model.addAttribute("canWrite", org.can(Permission.CAMPAIGNS_WRITE));
    model.addAttribute("publicHost", properties.publicLink("").replaceFirst("^https?://", ""));
    return "content/media";
  }

  /**
   * Each file is taken or refused on its own: the good ones of a batch are kept, and the page names each refused
   * file with its reason. When none is taken the form comes back with the reasons (field {@code file}).
   */
  @PostMapping("/o/{org}/media")
  @OnRefused("/o/{org}/media#upload")
  String upload(OrganizationContext org, @RequestParam(name = "file", required = false) List<MultipartFile> files,
      RedirectAttributes flash) {
    if (files == null || files.isEmpty()) files = java.util.Collections.singletonList(null);
    List<String> added = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (MultipartFile file : files) {
      try {
        MediaLibrary.Added a = MediaUploads.add(library, org.id(), file);
        added.add(a.created() ? a.item().name() : a.item().name() + " (already in the library)");
      } catch (Refused r) {
        String name = file == null || file.getOriginalFilename() == null || file.getOriginalFilename().isBlank() ? ""
            : MediaLibrary.displayName(file.getOriginalFilename(), MediaFormat.PNG) + ": ";
        refused.add(name + r.getMessage());
      }
    }
    if (added.isEmpty()) throw Refused.invalid("file", String.join(" ", refused));
    flash.addFlashAttribute("notice", (added.size() == 1 ? "Uploaded " : "Uploaded " + added.size() + " images: ")
        + String.join(", ", added) + ".");
    if (!refused.isEmpty()) flash.addFlashAttribute("errors", Map.of("file", String.join(" ", refused)));
    return "redirect:/o/" + org.slug() + "/media";
  }

  @PostMapping("/o/{org}/media/{id}/delete")
  String delete(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    MediaLibrary.Item item = library.find(org.id(), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    library.delete(org.id(), id);
    flash.addFlashAttribute("notice", "Deleted " + item.name() + ". Mail already sent that shows it now shows a broken image.");
    return "redirect:/o/" + org.slug() + "/media";
  }
}
