package io.dlrhub.alert;

import io.dlrhub.Metrics;
import io.dlrhub.Settings;
import java.util.Properties;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.support.DefaultHeaderFilterStrategy;

/**
 * Binds the beans routes/sink-alert.camel.yaml uses: the digest composer, the SMTP session
 * options and the filter that decides which message headers become mail headers.
 */
@Configuration
public class AlertConfiguration implements CamelConfiguration {

    @BindToRegistry
    public AlertDigest alertDigest(CamelContext context) {
        return new AlertDigest(Metrics.registry(context));
    }

    @BindToRegistry
    public Properties smtpProperties(CamelContext context) {
        Settings settings = new Settings(context);
        Properties smtp = new Properties();
        // strict: "yes" or "1" must not quietly mean false and send the SMTP password in clear
        boolean startTls = settings.getBoolean("smtp.starttls", false);
        smtp.setProperty("mail.smtp.starttls.enable", String.valueOf(startTls));
        smtp.setProperty("mail.smtp.starttls.required", String.valueOf(startTls));
        smtp.setProperty("mail.smtp.auth", String.valueOf(settings.get("smtp.username", null) != null));
        String timeout = String.valueOf(settings.getLong("smtp.timeout-ms", 10_000));
        smtp.setProperty("mail.smtp.connectiontimeout", timeout);
        smtp.setProperty("mail.smtp.timeout", timeout);
        smtp.setProperty("mail.smtp.writetimeout", timeout);
        return smtp;
    }

    @BindToRegistry
    public DefaultHeaderFilterStrategy alertMailHeaders() {
        return onlySubject();
    }

    /**
     * camel-mail writes every message header it is not told to filter into the e-mail. An
     * allow-list rather than a deny-list: a header some later route step adds (Dlr*, Camel*,
     * anything) stays out of the mail. From, To, Date, Message-ID and the MIME headers are set
     * by camel-mail and JavaMail themselves, not from message headers.
     */
    static DefaultHeaderFilterStrategy onlySubject() {
        DefaultHeaderFilterStrategy strategy = new DefaultHeaderFilterStrategy();
        // no prefix rule: with filterOnMatch off a "Camel" prefix match would let the header through
        strategy.setOutFilterStartsWith();
        strategy.setOutFilter("Subject");
        strategy.setFilterOnMatch(false);
        return strategy;
    }
}
