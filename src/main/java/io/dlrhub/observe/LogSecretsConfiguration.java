package io.dlrhub.observe;

import io.dlrhub.SettingValues;
import io.dlrhub.Settings;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/**
 * Before any route starts: every configured secret is kept out of the log ({@link SecretLogFilter}),
 * at every level. Secrets are the settings whose key names a password, token or secret (and the
 * credentials inside URL settings), from application.properties, overrides and the environment.
 * Provider credentials are added by ProviderAuthenticator as it reads them. Generated tokens are
 * not settings: the start-up line that hands one out must stay visible.
 */
public class LogSecretsConfiguration implements CamelConfiguration {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LogSecretsConfiguration.class);

    @Override
    public void configure(CamelContext context) {
        SecretLogFilter.install();
        Settings settings = new Settings(context);
        Set<String> keys = new TreeSet<>(Set.of(
                "admin.token",
                "crm.url",
                "crm.token",
                "crm.signing-secret",
                "smtp.password",
                "db.url",
                "db.password",
                "tls.keystore-password"));
        context.getPropertiesComponent().loadPropertiesAsMap().keySet().forEach(key -> keys.add(key.toString()));
        // settings given to camel-main as overrides (what the tests use) are not in the files
        if (context.getPropertiesComponent()
                instanceof org.apache.camel.component.properties.PropertiesComponent properties) {
            for (java.util.Properties extra :
                    new java.util.Properties[] {properties.getOverrideProperties(), properties.getInitialProperties()
                    }) {
                if (extra != null) {
                    extra.keySet().forEach(key -> keys.add(key.toString()));
                }
            }
        }
        for (String key : keys) {
            if (secret(key)) {
                keepOut(SettingValues.environmentName(key) + " (" + key + ")", settings.get(key, null));
            }
        }
        System.getenv().forEach((name, value) -> {
            if (secret(name)) {
                keepOut(name, value);
            }
        });
    }

    private static void keepOut(String setting, String value) {
        SecretLogFilter.keepOut(setting, value);
        if (SecretLogFilter.tooShort(setting, value)) {
            LOG.warn(
                    "{} holds a value shorter than {} characters: too short to be kept out of DEBUG and TRACE logs"
                            + " (and to be a good secret); use a longer one",
                    setting,
                    SecretLogFilter.MIN_LENGTH);
        }
    }

    /** A key naming a secret or a URL; a file's path (generated-tokens.file) is not one. */
    private static boolean secret(String key) {
        String lower = key.toLowerCase(java.util.Locale.ROOT);
        return SettingValues.isSecret(key)
                && !lower.endsWith(".file")
                && !lower.endsWith("_file")
                && !lower.contains("public-base-url")
                && !lower.contains("public_base_url");
    }
}
