package dev.herald.content;

import dev.herald.testsupport.RouteFixtures;
import java.awt.Color;
import java.util.Map;

/** One image in the organization's media library, for the route walk: its id, and its public file name. */
class MediaRouteFixtures implements RouteFixtures {
  private final MediaLibrary library;

  MediaRouteFixtures(MediaLibrary library) {
    this.library = library;
  }

  @Override
  public Map<String, Object> create(Organization org) {
    MediaLibrary.Item item = library.add(org.id(), org.name() + " logo.png", MediaImages.image("png", 4, 4, Color.ORANGE)).item();
    return Map.of("media/{id}", item.id(), "/m/{file}", item.url().substring(item.url().lastIndexOf('/') + 1));
  }
}
