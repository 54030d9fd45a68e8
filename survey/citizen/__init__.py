"""The citizen's survey: welcome, question pages, thank-you (blueprint in ``views``)."""
