package io.dlrhub.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The console's pages and assets, read once from the jar ({@code console/} on the class path): no
 * CDN, nothing from the internet. A page is {@code console/pages/<name>.html} inside
 * {@code console/layout.html}; its data comes from the operations API through
 * {@code console.js}. Pages hold no secret: neither the admin token, nor the session id (an
 * HttpOnly cookie), nor the CSRF token (the script asks {@code GET /console/session} for it).
 */
final class ConsolePages {

    /** The signed-in pages, in the order of the navigation: path under /console, title. */
    static final Map<String, String> PAGES = new LinkedHashMap<>();

    static {
        PAGES.put("overview", "Overview");
        PAGES.put("search", "Search");
        PAGES.put("message", "Message");
        PAGES.put("dead-letters", "Dead letters");
        PAGES.put("sinks", "Sinks");
    }

    /** Static files under /console/assets/: name and content type. */
    static final Map<String, String> ASSETS = Map.of(
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    private final String layout = read("console/layout.html");
    private final String signIn = read("console/sign-in.html");
    private final Map<String, String> bodies = new LinkedHashMap<>();
    private final Map<String, byte[]> assets = new LinkedHashMap<>();

    ConsolePages() {
        PAGES.keySet().forEach(page -> bodies.put(page, read("console/pages/" + page + ".html")));
        ASSETS.keySet()
                .forEach(asset ->
                        assets.put(asset, read("console/assets/" + asset).getBytes(StandardCharsets.UTF_8)));
    }

    static String path(String page) {
        return "overview".equals(page) ? "/console" : "/console/" + page;
    }

    /** A signed-in page in the layout, its entry of the navigation marked as the current one. */
    String page(String page) {
        StringBuilder nav = new StringBuilder();
        PAGES.forEach((name, title) -> {
            if ("message".equals(name) && !"message".equals(page)) {
                return; // a message is opened from search, the dead letters or the sinks, not from the menu
            }
            nav.append("<li><a href=\"")
                    .append(path(name))
                    .append('"')
                    .append(name.equals(page) ? " aria-current=\"page\"" : "")
                    .append('>')
                    .append(title)
                    .append("</a></li>");
        });
        return layout.replace("{{title}}", PAGES.get(page))
                .replace("{{page}}", page)
                .replace("{{nav}}", nav)
                .replace("{{content}}", bodies.get(page));
    }

    /** The sign-in page with a notice (already HTML-safe: one of ours, never request text). */
    String signIn(String notice) {
        return signIn.replace(
                "{{notice}}", notice == null ? "" : "<p class=\"notice\" role=\"alert\">" + notice + "</p>");
    }

    byte[] asset(String name) {
        return assets.get(name);
    }

    private static String read(String resource) {
        try (InputStream in = ConsolePages.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("The console's " + resource + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
