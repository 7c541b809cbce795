"""``storesim --help``: what storesim answers and how to ask, written for people.

Printed before Hydra is imported, so it answers at once. Hydra's own help stays available as
``storesim --hydra-help``; every setting with its value is ``storesim --cfg job``.
"""

HELP = """\
storesim: simulate a store's checkout lanes, customers and staff, and compare plans.
It answers: which staffing plan and which policies give the best waits and customer
satisfaction for their cost? Settings are key=value words (Hydra overrides).

Run one scenario (10 replications of the default supermarket day):
  storesim                                   the default day
  storesim staffing.cashiers=8               eight cashiers all day (or a list, one per hour)
  storesim arrivals.rate_per_hour=300        300 customers an hour (or a list, one per hour)
  storesim queue.discipline=single_line      one pooled line instead of a line per lane
  storesim queue.jockey_diff=2               customers switch to a line two people shorter
  storesim self_checkout=six_kiosks          a bank of six self-checkout kiosks and an attendant
  storesim policy/empowerment=empowered      cashiers settle exceptions themselves
  storesim satisfaction=informed report=true a wait display, and report.html with figures
                                             (report_currency=EUR: money in EUR)
  storesim experiment=mmc                    the textbook M/M/c queue (Erlang C)

Compare plans (-m runs one job per combination; a table ranks them at the end):
  storesim -m staffing.cashiers=6,7,8 queue.discipline=per_lane,single_line
  storesim -m staffing.cashiers=6,7,8,9 sweep.delta=200
                                             the best plan at 95% confidence (differences in
                                             total cost under 200 a day do not matter), or ties
  storesim -m experiment=peak_staffing       presets: peak_staffing, cross_training,
                                             empowerment, hiring, december, self_checkout,
                                             quarter (13 weeks of households: run.days)
  storesim -m experiment=tune_cross_training Optuna tunes a policy (also tune_empowerment)
  storesim -m hydra/launcher=joblib ...      in parallel; submitit_slurm for a cluster

Outputs go to outputs/<scenario>/<date_time>/ (one run) or multirun/<scenario>/<date_time>/ (-m);
choose the folder with hydra.run.dir=... or hydra.sweep.dir=...

Other commands:
  storesim-report PATH...     figures and one report.html comparing runs or a sweep
  storesim-plan               the cheapest hourly cashier plan that meets the standard
  storesim-demo NAME          classroom demos with queueing theory (--list)
  storesim-calibrate          fit a scenario to a store's till log (--example)

See every setting and its value: storesim --cfg job    (Hydra's flags: storesim --hydra-help)
No progress lines: --quiet.
Documentation: README.md and docs/ in the project."""


def wants_help(args: list[str]) -> bool:
    """Whether the command line asks for this page (``--help`` or ``-h`` anywhere)."""
    return any(arg in ("--help", "-h") for arg in args)
