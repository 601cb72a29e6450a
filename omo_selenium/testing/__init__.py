"""What serves tests and demos, never a solve itself.

- :mod:`.pytest_plugin`: fixtures and options for users' regression tests;
- :mod:`.demo`: the demo runner behind ``omo-selenium demo``;
- :mod:`.grid`: a local Selenium Grid (hub and nodes) for parallel solving;
- :mod:`.synthetic`: the generator of labelled synthetic captchas (engine tests, benchmarks);
- :mod:`omo_selenium.demo_site`: the demo captcha site itself (its own folder in the
  repository, installed inside the package).
"""
