package io.dlrhub;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.spi.PropertiesFunction;

/**
 * {@code {{dlrhub-boolean:routes.reload}}}: the setting read by {@link SettingValues}'s rule and
 * handed to Camel as "true" or "false". For booleans that Camel itself reads from
 * application.properties (camel.main.*) before any configuration class of ours runs: Camel takes
 * only true/false and would not name our key. Unset or empty is false.
 * Found by Camel through META-INF/services/org/apache/camel/properties-function/dlrhub-boolean.
 */
public class BooleanSettingFunction implements PropertiesFunction, CamelContextAware {

    private CamelContext context;

    @Override
    public String getName() {
        return "dlrhub-boolean";
    }

    @Override
    public String apply(String remainder) {
        return String.valueOf(new Settings(context).getBoolean(remainder.trim(), false));
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
    }
}
