package dev.herald.content;

import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.PersonalDataArchive;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.PersonalDataTable;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Content's part of the personal-data map: templates, their categories and the media library are the organization's own
 * content, written and uploaded by its members, and none of it is about a person Herald could find by address. A
 * template is personalised only when a campaign renders it (the rendered copy is delivery's and campaigns' data); an
 * image may show a person, but as the organization's published material, which it manages (and which goes with the
 * organization), not as a record Herald keeps of someone: an erasure by address cannot recognise a face, and the
 * organization removes such an image from its library itself. So access exports nothing and erasure changes nothing here.
 */
@Component
class ContentPersonalData implements PersonalDataHolder {
  @Override
  public String capability() {
    return "content";
  }

  @Override
  public List<PersonalDataTable> tables() {
    return List.of(
        PersonalDataTable.none("template_category", "Folders the organization sorts its templates into", "name"),
        PersonalDataTable.none("template", "The organization's campaign templates and snippets", "kind", "name", "format", "source"),
        PersonalDataTable.none("media", "Images the organization uploaded for its mail and pages, served from public addresses",
            "public_key", "name", "content_type", "sha256", "content"));
  }

  @Override
  public void export(DataSubject person, PersonalDataArchive archive) {
    // nothing about a person: see the class comment
  }

  @Override
  public ErasureCount erase(DataSubject person) {
    return ErasureCount.none();
  }
}
