package dev.spectrum.definitions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The one view-name type: the schema added, stripped and quoted in one place. No database. */
class ViewNameTest {

    @Test
    void addsStripsAndQuotesTheSchema() {
        ViewName view = ViewName.of("funnel", "check-out-2");
        assertThat(view.name()).isEqualTo("funnel_check_out_2");
        assertThat(view.qualified()).isEqualTo("analytics.funnel_check_out_2");
        assertThat(view.quoted()).isEqualTo("analytics.\"funnel_check_out_2\"");
        assertThat(view.suffixed("__next").quoted()).isEqualTo("analytics.\"funnel_check_out_2__next\"");
        assertThat(ViewName.parse("analytics.funnel_check_out_2")).isEqualTo(view);
        assertThat(ViewName.parse("mv_sessions").qualified()).isEqualTo("analytics.mv_sessions");
        assertThat(new ViewName("a\"b").quoted()).isEqualTo("analytics.\"a\"\"b\"");
    }

    @Test
    void refusesQualifiedOrEmptyNames() {
        assertThatThrownBy(() -> new ViewName("analytics.x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ViewName("")).isInstanceOf(IllegalArgumentException.class);
    }
}
