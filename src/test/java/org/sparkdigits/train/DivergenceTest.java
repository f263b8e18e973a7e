package org.sparkdigits.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sparkdigits.DigitTrainer;

/** A loss that is not finite is blamed on the settings in play, and never on the rate before any update. */
class DivergenceTest {

    @Test
    void beforeAnyUpdateTheRateIsNotBlamed() {
        TrainingSpec s = DigitTrainer.builder().data("x.csv").teacher("t1").distillTemperature(0.05).distillWeight(1)
                .build().spec();
        assertEquals("the loss was Infinity at step 1, on the weights the run started from, before any update: the "
                + "learning rate is not the cause; the settings that shape the loss: --distill-temperature 0.05, "
                + "--distill-weight 1", Divergence.message(Double.POSITIVE_INFINITY, 1, 0.01, true, s));
    }

    @Test
    void afterAnUpdateEverySettingInPlayIsNamed() {
        TrainingSpec s = DigitTrainer.builder().data("x.csv").optimizer("adamw").lr(0.003).l2(0.1).dropout(0.3).build().spec();
        assertEquals("the loss became NaN at step 40 with --lr 0.003 (this step's rate), --optimizer adamw, --l2 0.1, "
                + "--dropout 0.3: lower --lr first; if it still diverges, the other settings named here are the suspects",
                Divergence.message(Double.NaN, 40, 0.003, false, s));
        TrainingSpec plain = DigitTrainer.builder().data("x.csv").optimizer("sgd").build().spec();
        assertEquals("the loss became Infinity at step 2 with --lr 0.5 (this step's rate), --optimizer sgd: lower --lr first",
                Divergence.message(Double.POSITIVE_INFINITY, 2, 0.5, false, plain));
    }
}
